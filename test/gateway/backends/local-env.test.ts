import assert from "node:assert/strict";
import { test } from "node:test";
import { withHost } from "../../../src/cluster/process/scheduler-process.ts";
import { localProcessEnv } from "../../../src/gateway/server/backends/local-env.ts";
import { lookupAccount } from "../../../src/gateway/server/backends/unix-account.ts";
import { defaultStateDir } from "../../../src/gateway/server/state-dir.ts";
import { clusterRecord } from "../kubernetes/kube-harness.ts";

const account = { name: "ada", uid: 1234, gid: 1234, home: "/home/ada", shell: "/bin/sh" };

test("local env - a cluster process gets PATH, the account's identity, its environment option and launch env, nothing else of the gateway's", () => {
  process.env.FLOWGATE_GATEWAY_ENCRYPT_KEY = "must-not-leak";
  process.env.AWS_SECRET_ACCESS_KEY = "gateway-own-credential";
  try {
    const c = clusterRecord({ environment: { MY_SETTING: "on" } });
    const env = localProcessEnv(account, c, { FLOWGATE_CLUSTER_NAME: c.name });
    assert.equal(env.FLOWGATE_GATEWAY_ENCRYPT_KEY, undefined);
    assert.equal(env.AWS_SECRET_ACCESS_KEY, undefined);
    assert.equal(env.MY_SETTING, "on");
    assert.equal(env.FLOWGATE_CLUSTER_NAME, c.name);
    assert.deepEqual(
      [env.HOME, env.USER, env.LOGNAME, env.SHELL],
      ["/home/ada", "ada", "ada", "/bin/sh"],
    );
    assert.ok(env.PATH);
    const allowed = new Set(["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "HOME", "USER"]);
    for (const k of ["LOGNAME", "SHELL", "MY_SETTING", "FLOWGATE_CLUSTER_NAME"]) allowed.add(k);
    assert.deepEqual(
      Object.keys(env).filter((k) => !allowed.has(k)),
      [],
    );
  } finally {
    delete process.env.FLOWGATE_GATEWAY_ENCRYPT_KEY;
    delete process.env.AWS_SECRET_ACCESS_KEY;
  }
});

test("scheduler address - a wildcard listening host is replaced by the advertised one", () => {
  assert.equal(withHost("tls://0.0.0.0:8786", "10.1.2.3"), "tls://10.1.2.3:8786");
  assert.equal(
    withHost("http://0.0.0.0:8787/status", "pod.ns.svc"),
    "http://pod.ns.svc:8787/status",
  );
  assert.equal(withHost("tls://[::]:8786", "fd00::5"), "tls://[fd00::5]:8786");
});

test("unix accounts - root is found; names that are not user names are never looked up", () => {
  assert.equal(lookupAccount("root")?.uid, 0);
  assert.equal(lookupAccount("no-such-user-flowgate-test"), undefined);
  assert.equal(lookupAccount("../etc"), undefined);
  assert.equal(lookupAccount("a b"), undefined);
});

test("state dir - FLOWGATE_STATE_DIR, else /var/lib as root, else the XDG state folder", () => {
  assert.equal(defaultStateDir({ FLOWGATE_STATE_DIR: "/srv/fg" }), "/srv/fg");
  if (process.getuid?.() === 0) assert.equal(defaultStateDir({}), "/var/lib/flowgate/gateway");
  else assert.equal(defaultStateDir({ XDG_STATE_HOME: "/x/state" }), "/x/state/flowgate/gateway");
});
