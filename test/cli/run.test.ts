import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;

function flowgate(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF" },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("cli run - times-two with x = 0..9 prints 90", () => {
  const r = flowgate("run", "examples/times-two.ts", "--param", "x=[0,1,2,3,4,5,6,7,8,9]");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Result: 90$/m);
  assert.match(r.stdout, /timesTwo\s+Mapped \(10 children: 10 Success\)/);
});

test("cli run - inc-dec-add prints 90", () => {
  const r = flowgate("run", "examples/inc-dec-add.ts");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Result: 90$/m);
});

test("cli run - a flow file outside the repository imports flowgate by name", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-cli-"));
  const file = join(dir, "outside.ts");
  writeFileSync(
    file,
    `import { Flow, task } from "flowgate";
const one = task(function one() { return 1; });
export const flow = new Flow("outside", () => one());
await flow.run(); // suppressed while flowgate run loads the file
`,
  );
  const r = flowgate("run", file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Result: 1$/m);
  assert.equal(r.stdout.match(/finished/g)?.length, 1);
});

test('cli run - a flow file in a "type": "commonjs" package (npm init\'s default) runs', () => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-cli-cjs-"));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", type: "commonjs" }));
    writeFileSync(join(dir, "double.ts"), `export const double = (x: number) => x * 2;\n`);
    writeFileSync(
      join(dir, "flow.ts"),
      `import { Flow, Parameter, task } from "flowgate";
import { double } from "./double.ts";
const timesTwo = task(function timesTwo(x: number) { return double(x); });
export default new Flow("cjs-package", () => timesTwo(Parameter("x", { default: 21 })));
`,
    );
    const r = flowgate("run", join(dir, "flow.ts"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Result: 42$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli run - a failing flow exits 1", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-cli-"));
  const file = join(dir, "failing.ts");
  writeFileSync(
    file,
    `import { Flow, task } from "flowgate";
const boom = task(function boom() { throw new Error("boom"); });
export default new Flow("failing", () => boom());
`,
  );
  const r = flowgate("run", file);
  assert.equal(r.code, 1);
  // the error class and the first frame in the user's file
  assert.match(r.stdout, /boom\s+Failed: Error: boom \(at .*failing\.ts:2:\d+\)$/m);
});

for (const [what, args, message] of [
  ["a missing file", ["run", "nope.ts"], /flow file nope\.ts does not exist/],
  ["a file without a flow", ["run", "package.json"], /exports no flow/],
  [
    "a --param without =",
    ["run", "examples/times-two.ts", "--param", "x"],
    /FG_CLI_PARAM: --param "x" is not name=value/,
  ],
  [
    "an unknown parameter",
    ["run", "examples/times-two.ts", "--param", "y=1"],
    /unknown parameter 'y'; valid parameters: x/,
  ],
  ["an unknown option", ["run", "examples/times-two.ts", "--bogus"], /unknown option '--bogus'/],
  [
    "an unknown executor",
    ["run", "examples/times-two.ts", "--executor", "warp"],
    /--executor warp is not known/,
  ],
  ["a worker without its scheduler's address", ["worker"], /the scheduler's address is missing/],
  [
    "a worker's --concurrency of 0",
    ["worker", "tcp://127.0.0.1:9", "--concurrency", "0"],
    /--concurrency must be a positive integer, got '0'/,
  ],
  ["a scheduler port out of range", ["scheduler", "--port", "70000"], /--port must be a port/],
  [
    "a scheduler's --tls-cert without --tls-key",
    ["scheduler", "--tls-cert", "cert.pem"],
    /give both --tls-cert and --tls-key/,
  ],
  [
    "a worker's missing certificate file",
    ["worker", "tcp://127.0.0.1:9", "--tls-cert", "/no/cert.pem", "--tls-key", "/no/key.pem"],
    /cannot read the --tls-cert file '\/no\/cert\.pem' \(ENOENT\)/,
  ],
  [
    "an unknown worker option",
    ["worker", "tcp://127.0.0.1:9", "--bogus"],
    /Unknown option '--bogus'/,
  ],
] as const) {
  test(`cli ${args[0]} - ${what} is one clear line and exit code 2`, () => {
    const r = flowgate(...args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  });
}
