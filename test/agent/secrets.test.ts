import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GatewayEnvironment, SecretAuth } from "../../src/environments/index.ts";
import { environmentOf } from "../../src/agent/register/flow-manifest.ts";
import { RunSecrets } from "../../src/agent/secrets/run-secrets.ts";
import { SecretSource, takeSecretVariables } from "../../src/agent/secrets/secret-source.ts";
import { tempDir } from "./support.ts";

function secretsFile(text: string, mode = 0o600): string {
  const file = join(tempDir(), "secrets");
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

test("secret source - NAME=value lines (comments, quotes) and JSON; the file wins over FLOWGATE_SECRET_*", () => {
  const lines = secretsFile("# a comment\n\nA=1\nB = \"two words\"\nC='x=y'\nmy.key-1=dotted\n");
  const env = {
    FLOWGATE_SECRET_A: "from-env",
    FLOWGATE_SECRET_D: "only-env",
    FLOWGATE_SECRET_E: "",
  };
  const s = new SecretSource(lines, env);
  assert.equal(s.get("A"), "1");
  assert.equal(s.get("B"), "two words");
  assert.equal(s.get("C"), "x=y");
  assert.equal(s.get("my.key-1"), "dotted");
  assert.equal(s.get("D"), "only-env");
  assert.equal(s.get("E"), undefined, "an empty variable is no value");
  assert.equal(s.get("missing"), undefined);
  const json = new SecretSource(secretsFile('{"T": "tok"}', 0o400), {});
  assert.equal(json.get("T"), "tok");
  assert.equal(new SecretSource(undefined, { FLOWGATE_SECRET_my_key_1: "v" }).get("my.key-1"), "v");
});

test("secret source - a file open to others, missing or malformed is refused without quoting it", () => {
  const open = secretsFile("A=1\n", 0o640);
  assert.throws(() => new SecretSource(open, {}), {
    code: "FG_AGENT_SECRETS_FILE",
    message: `secrets file ${open}: other users may read or change it (mode 0640); make it private with: chmod 600 ${open}`,
  });
  assert.throws(() => new SecretSource(join(tempDir(), "nope"), {}), {
    code: "FG_AGENT_SECRETS_FILE",
    message: /cannot be read \(ENOENT\); check the path/,
  });
  const badJson = secretsFile('{"A": "s3cr3t-value",');
  assert.throws(
    () => new SecretSource(badJson, {}),
    (e: Error) => /is not valid JSON/.test(e.message) && !e.message.includes("s3cr3t"),
  );
  assert.throws(() => new SecretSource(secretsFile("just-a-value-s3cr3t\n"), {}), {
    message: /line 1 is not NAME=value/,
  });
  assert.throws(() => new SecretSource(secretsFile('{"A": 1}'), {}), {
    message: /the value of "A" is not a string/,
  });
});

test("secrets - registration stores SecretAuth as a name; the agent's resolution replaces the auth", async () => {
  const token = new GatewayEnvironment({ auth: SecretAuth.token("GW_TOKEN"), workers: 1 });
  assert.deepEqual(environmentOf(token), {
    type: "gateway",
    options: { workers: 1 },
    secrets: { "auth.token": "GW_TOKEN" },
  });
  const basic = new GatewayEnvironment({ auth: SecretAuth.basic("ada", "GW_PASSWORD") });
  const spec = environmentOf(basic)!;
  assert.deepEqual(spec.secrets, { "auth.password": "GW_PASSWORD" });
  assert.equal(spec.options?.["authUser"], "ada");

  const resolved = RunSecrets.resolve(
    spec,
    new SecretSource(undefined, { FLOWGATE_SECRET_GW_PASSWORD: "pw" }),
  );
  const env = resolved.apply(basic) as GatewayEnvironment;
  assert.ok(env instanceof GatewayEnvironment && env !== basic);
  assert.equal(
    env.options.auth!.authorization(),
    `Basic ${Buffer.from("ada:pw").toString("base64")}`,
  );
  assert.equal(env.options.auth!.describe(), 'user "ada" (password in secret "GW_PASSWORD")');
  assert.doesNotMatch(JSON.stringify(env.options.auth), /pw|ada/);
  assert.equal(RunSecrets.none.apply(basic), basic);

  assert.throws(() => RunSecrets.resolve(spec, new SecretSource(undefined, {})), {
    code: "FG_AGENT_SECRET_NOT_FOUND",
    message:
      /needs secret "GW_PASSWORD" \(for auth\.password\).*--secrets-file PATH.*FLOWGATE_SECRET_GW_PASSWORD/,
  });
  assert.throws(
    () =>
      RunSecrets.resolve(
        { type: "gateway", secrets: { "clusterOptions.key": "K" } },
        new SecretSource(undefined, { FLOWGATE_SECRET_K: "v" }),
      ),
    { code: "FG_AGENT_SECRET_OPTION" },
  );
});

test("secrets - SecretAuth outside an agent reads FLOWGATE_SECRET_<NAME> or says how to set it", () => {
  const auth = SecretAuth.token("ORCHFIX_TEST_TOKEN");
  delete process.env["FLOWGATE_SECRET_ORCHFIX_TEST_TOKEN"];
  assert.throws(() => auth.authorization(), {
    code: "FG_ENV_SECRET_UNAVAILABLE",
    message:
      /secret "ORCHFIX_TEST_TOKEN" has no value in this process; set FLOWGATE_SECRET_ORCHFIX_TEST_TOKEN/,
  });
  process.env["FLOWGATE_SECRET_ORCHFIX_TEST_TOKEN"] = "abc";
  try {
    assert.equal(auth.authorization(), "Bearer abc");
  } finally {
    delete process.env["FLOWGATE_SECRET_ORCHFIX_TEST_TOKEN"];
  }
  assert.throws(() => SecretAuth.token("no spaces"), { code: "FG_ENV_OPTIONS" });
});

test("secret source - an agent moves FLOWGATE_SECRET_* out of the environment its tasks inherit", () => {
  const env: NodeJS.ProcessEnv = { FLOWGATE_SECRET_ORCHFIX_A: "a", PATH: "/bin" };
  const copy = takeSecretVariables(env);
  assert.deepEqual(env, { PATH: "/bin" });
  assert.equal(new SecretSource(undefined, copy).get("ORCHFIX_A"), "a");
  // a later agent in the same process shares what the first one took
  assert.equal(new SecretSource(undefined, takeSecretVariables({})).get("ORCHFIX_A"), "a");
});
