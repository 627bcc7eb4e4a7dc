import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import {
  BasicAuth,
  ClusterConflictError,
  Gateway,
  GatewayAuthenticationError,
  GatewayPermissionError,
  GatewayProtocolError,
  GatewayRequestRejectedError,
  GatewayServerError,
  GatewayTimeoutError,
  GatewayUnreachableError,
  InvalidGatewayArgumentError,
  TokenAuth,
  UnknownClusterError,
  authFromEnv,
  resolveGatewayOptions,
} from "../../../src/gateway/client/index.ts";
import { FakeGateway, type FakeGatewayOptions } from "./fake-gateway.ts";

async function withFake(options: FakeGatewayOptions, body: (fake: FakeGateway) => Promise<void>) {
  const fake = await new FakeGateway(options).start();
  try {
    await body(fake);
  } finally {
    await fake.stop();
  }
}

test("client auth - Basic header first, then only the cookie the gateway set", () =>
  withFake({ password: "pw" }, async (fake) => {
    const gateway = new Gateway({ address: fake.address, auth: new BasicAuth("ada", "pw") });
    await gateway.listClusters();
    await gateway.listClusters();
    await gateway.clusterOptions();
    const [first, ...rest] = fake.requests;
    assert.equal(first!.authorization, `Basic ${Buffer.from("ada:pw").toString("base64")}`);
    assert.equal(first!.cookie, undefined);
    for (const r of rest) {
      assert.equal(r.authorization, undefined, "credentials are not resent");
      assert.equal(r.cookie, `fg=${fake.cookieValue}-ada`);
    }
  }));

test("client auth - a cookie the gateway no longer accepts is dropped and the credentials resent", () =>
  withFake({}, async (fake) => {
    const gateway = new Gateway({ address: fake.address, auth: new BasicAuth("ada") });
    await gateway.listClusters();
    fake.sessions.clear(); // e.g. the gateway restarted
    await gateway.listClusters();
    assert.deepEqual(
      fake.requests.map((r) => [r.authorization !== undefined, r.cookie !== undefined]),
      [
        [true, false],
        [false, true],
        [true, false],
      ],
    );
  }));

test("client auth - TokenAuth sends a bearer token", () =>
  withFake({ tokens: { t0k3n: "bob" } }, async (fake) => {
    const gateway = new Gateway({ address: fake.address, auth: new TokenAuth("t0k3n") });
    await gateway.submit();
    assert.equal(fake.requests[0]!.authorization, "Bearer t0k3n");
    assert.equal(fake.clusters.get("c1")!.user, "bob");
  }));

test("client auth - defaults from FLOWGATE_GATEWAY_* and the OS user", () => {
  const basic = authFromEnv({
    FLOWGATE_GATEWAY_USER: "ada",
    FLOWGATE_GATEWAY_PASSWORD: "pw",
    FLOWGATE_GATEWAY_TOKEN: "t",
  });
  assert.ok(basic instanceof BasicAuth && basic.user === "ada");
  assert.equal(basic.authorization(), `Basic ${Buffer.from("ada:pw").toString("base64")}`);
  assert.equal(authFromEnv({ FLOWGATE_GATEWAY_TOKEN: "t" }).authorization(), "Bearer t");
  const os = authFromEnv({});
  assert.ok(os instanceof BasicAuth && os.user.length > 0);
  const resolved = resolveGatewayOptions(
    {},
    { FLOWGATE_GATEWAY_ADDRESS: "127.0.0.1:8000/", FLOWGATE_GATEWAY_TOKEN: "x" },
  );
  assert.equal(resolved.address, "http://127.0.0.1:8000");
  assert.equal(resolved.auth.authorization(), "Bearer x");
  assert.equal(resolved.fetchTimeout, 30_000);
  assert.equal(
    resolveGatewayOptions({ address: "https://gw.example.com/prefix/" }, {}).address,
    "https://gw.example.com/prefix",
  );
  assert.throws(
    () => resolveGatewayOptions({}, {}),
    /no gateway address.*FLOWGATE_GATEWAY_ADDRESS/,
  );
  assert.throws(
    () => resolveGatewayOptions({ address: "ftp://x" }, {}),
    InvalidGatewayArgumentError,
  );
  assert.throws(() => new BasicAuth("a:b"), /without ":"/);
  assert.throws(() => new TokenAuth(" "), InvalidGatewayArgumentError);
});

test("client errors - unreachable gateway names the address, the errno code and the fix", async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const gateway = new Gateway({ address: `127.0.0.1:${port}`, auth: new BasicAuth("ada") });
  await assert.rejects(gateway.listClusters(), (e: unknown) => {
    assert.ok(e instanceof GatewayUnreachableError);
    assert.equal(e.code, "FG_GATEWAY_UNREACHABLE");
    assert.equal(
      e.message,
      `could not reach the flowgate gateway at http://127.0.0.1:${port}: ECONNREFUSED; is \`flowgate gateway\` running there?`,
    );
    return true;
  });
});

test("client errors - 401 names the user, 403, 404, 409 and 422 carry the gateway's text", () =>
  withFake({ password: "right" }, async (fake) => {
    const wrong = new Gateway({ address: fake.address, auth: new BasicAuth("ada", "wrong") });
    await assert.rejects(wrong.listClusters(), (e: unknown) => {
      assert.ok(e instanceof GatewayAuthenticationError);
      assert.equal(e.status, 401);
      assert.match(
        e.message,
        /did not accept the credentials of user "ada": Authentication required; check --user/,
      );
      return true;
    });
    const ada = new Gateway({ address: fake.address, auth: new BasicAuth("ada", "right") });
    const bob = new Gateway({ address: fake.address, auth: new BasicAuth("bob", "right") });
    const name = await ada.submit();
    await assert.rejects(bob.getCluster(name), (e: unknown) => {
      assert.ok(e instanceof GatewayPermissionError);
      assert.match(
        e.message,
        /^user "bob" may not get cluster "c1": User "bob" is not allowed to access cluster c1/,
      );
      return true;
    });
    await assert.rejects(bob.stopCluster(name), GatewayPermissionError);
    await assert.rejects(ada.getCluster("nope"), (e: unknown) => {
      assert.ok(e instanceof UnknownClusterError);
      assert.equal(e.clusterName, "nope");
      assert.match(e.message, /cluster "nope" was not found .*flowgate clusters list/);
      return true;
    });
    fake.setStatus(name, "STOPPED");
    await assert.rejects(ada.scaleCluster(name, 1), (e: unknown) => {
      assert.ok(e instanceof ClusterConflictError);
      assert.match(
        e.message,
        /refused to scale cluster "c1" to 1 workers: Cluster c1 is STOPPED, not RUNNING/,
      );
      return true;
    });
    await assert.rejects(ada.submit({ clusterOptions: { bad: 1 } }), (e: unknown) => {
      assert.ok(e instanceof GatewayRequestRejectedError);
      assert.equal(e.serverText, 'Unknown option "bad"; known: worker_cores');
      assert.match(e.message, /rejected the request to create a cluster: Unknown option "bad"/);
      return true;
    });
  }));

test("client errors - not a gateway, 5xx and timeouts", () =>
  withFake(
    {
      intercept: (r) =>
        r.path === "/api/v1/options"
          ? { status: 404, text: "<html>nginx</html>", headers: { "content-type": "text/html" } }
          : r.path === "/api/v1/clusters/"
            ? { status: 500, json: { error: "database is locked" } }
            : undefined,
    },
    async (fake) => {
      const gateway = new Gateway({ address: fake.address, auth: new BasicAuth("ada") });
      await assert.rejects(gateway.clusterOptions(), GatewayProtocolError);
      await assert.rejects(gateway.listClusters(), (e: unknown) => {
        assert.ok(e instanceof GatewayServerError);
        assert.match(e.message, /failed to list clusters \(HTTP 500\): database is locked/);
        return true;
      });
      fake.options.hang = ["/api/v1/options"];
      const hung = new Gateway({
        address: fake.address,
        auth: new BasicAuth("ada"),
        fetchTimeout: 100,
      });
      await assert.rejects(hung.clusterOptions(), (e: unknown) => {
        assert.ok(e instanceof GatewayTimeoutError);
        assert.match(e.message, /did not answer "get the cluster options" within 100 ms/);
        return true;
      });
    },
  ));
