import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { flowgate, logLines } from "./run-cli.ts";

const echo = new URL("fixtures/echo.ts", import.meta.url).pathname;
const failing = new URL("fixtures/failing.ts", import.meta.url).pathname;

function oneLineError(r: { code: number | null; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, message);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
}

test("cli flags - --version prints the package's version", () => {
  const { version } = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  ) as { version: string };
  const r = flowgate(["--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${version}\n`);
});

test("cli flags - an unknown --log-level or FLOWGATE_LOG_LEVEL lists the valid levels", () => {
  oneLineError(
    flowgate(["run", echo, "--log-level", "verbose"]),
    /^flowgate: FG_CLI_LOG_LEVEL: --log-level "verbose" is not a log level; use one of DEBUG, INFO, WARNING, ERROR, OFF$/m,
  );
  oneLineError(
    flowgate(["run", echo], { FLOWGATE_LOG_LEVEL: "verbose" }),
    /^flowgate: FG_CLI_LOG_LEVEL: FLOWGATE_LOG_LEVEL "verbose" is not a log level; use one of DEBUG, INFO, WARNING, ERROR, OFF$/m,
  );
});

test("cli flags - --log-level WARNING prints warnings and errors only, and wins over the variable", () => {
  const r = flowgate(["run", failing, "--log-level", "warning", "--no-progress"], {
    FLOWGATE_LOG_LEVEL: "DEBUG",
  });
  assert.equal(r.code, 1, r.stderr);
  const levels = new Set(logLines(r.stderr).map((l) => l.split(" ", 1)[0]));
  assert.deepEqual([...levels].sort(), ["ERROR", "WARNING"]);
});

for (const [args, message] of [
  [["--max-workers", "3"], /FG_CLI_FLAG_REQUIRES: --max-workers only applies with --gateway/],
  [["--tls-cert", "c.pem"], /FG_CLI_FLAG_REQUIRES: --tls-cert only applies with --address/],
  [["--cluster-name", "x"], /FG_CLI_FLAG_REQUIRES: --cluster-name only applies with --gateway/],
  [["--token", "t", "--cluster", "local:1"], /--token only applies with --gateway/],
  [
    ["--gateway", "http://127.0.0.1:1", "--cluster-name", "x", "--min-workers", "2"],
    /FG_CLI_USAGE: --min-workers does not apply with --cluster-name/,
  ],
  [["--cluster", "local:0"], /FG_CLI_USAGE: --cluster local:0 is not local:N/],
] as const) {
  test(`cli flags - ${args.join(" ")} is refused, naming what it needs`, () => {
    oneLineError(flowgate(["run", echo, ...args]), message);
  });
}

test("cli flags - --param parses JSON and falls back to the text", () => {
  const r = flowgate(["run", echo, "--param", "name=alice", "--param", "n=3"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Result: \{"name":"alice","n":3\}$/m);
  const quoted = flowgate(["run", echo, "--param", 'name="3"', "--param", "n=[1,"]);
  assert.equal(quoted.code, 0, quoted.stderr);
  assert.match(quoted.stdout, /^Result: \{"name":"3","n":"\[1,"\}$/m);
});

test("cli flags - --param-file gives values, --param entries win", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "params.json");
  writeFileSync(file, JSON.stringify({ name: "bob", n: 1 }));
  const r = flowgate(["run", echo, "--param-file", file, "--param", "n=2"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Result: \{"name":"bob","n":2\}$/m);
  writeFileSync(file, "[1, 2]");
  oneLineError(
    flowgate(["run", echo, "--param-file", file]),
    /FG_CLI_PARAM: --param-file .* holds an array, not an object of parameters by name/,
  );
  oneLineError(
    flowgate(["run", echo, "--param-file", join(dir, "missing.json")]),
    /FG_CLI_PARAM: --param-file .*missing\.json cannot be read \(ENOENT\)/,
  );
});
