import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { describe, it } from "node:test";
import { makeClusterCredentials } from "../../../src/gateway/tls/index.ts";
import { cleanup, fakeCommands, freePort, startTestGateway, tempDir } from "./helpers/harness.ts";

const cli = new URL("./helpers/gateway-cli.ts", import.meta.url).pathname;

describe("flowgate gateway command", () => {
  it("loads a .ts config, takes --address and --tls-cert/--tls-key (HTTPS), stops on SIGTERM", async () => {
    const dir = tempDir();
    const { tlsCert, tlsKey } = await makeClusterCredentials("gateway-test");
    writeFileSync(join(dir, "gw.crt"), tlsCert);
    writeFileSync(join(dir, "gw.key"), tlsKey);
    const cfgFile = join(dir, "gateway.config.ts");
    const config = {
      dataDir: join(dir, "data"),
      local: fakeCommands(),
      auth: { type: "simple", password: "pw" },
    };
    writeFileSync(cfgFile, `const config = ${JSON.stringify(config)};\nexport default config;\n`);
    const port = await freePort();
    const gw = await startTestGateway(
      {},
      dir,
      [
        "--address",
        `127.0.0.1:${port}`,
        "--tls-cert",
        join(dir, "gw.crt"),
        "--tls-key",
        join(dir, "gw.key"),
      ],
      cfgFile,
    );
    try {
      assert.equal(gw.address, `https://127.0.0.1:${port}`);
      const body = await new Promise<string>((resolve, reject) => {
        const r = request(
          `${gw.address}/api/v1/options`,
          {
            ca: tlsCert,
            checkServerIdentity: () => undefined,
            headers: { authorization: `Basic ${Buffer.from("a:pw").toString("base64")}` },
          },
          (res) => {
            let t = "";
            res.on("data", (d) => (t += d)).on("end", () => resolve(`${res.statusCode} ${t}`));
          },
        );
        r.on("error", reject).end();
      });
      assert.match(body, /^200 \{"cluster_options":\[/);
      assert.equal(await gw.stop(), 0);
    } finally {
      cleanup(dir, join(dir, "data"));
    }
  });

  it("a bad config or flag exits non-zero with a message that names it", () => {
    const dir = tempDir();
    try {
      const bad = join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify({ auth: { type: "kerberos" } }));
      const r = spawnSync(process.execPath, ["--import", "tsx", cli, "gateway", "--config", bad], {
        encoding: "utf8",
        timeout: 30_000,
      });
      assert.notEqual(r.status, 0);
      assert.match(
        r.stderr,
        /bad\.json: gateway config: auth\.type must be one of "simple", "basic", "token"/,
      );
      const r2 = spawnSync(
        process.execPath,
        ["--import", "tsx", cli, "gateway", "--backend", "pbs"],
        { encoding: "utf8", timeout: 30_000 },
      );
      assert.notEqual(r2.status, 0);
      assert.match(
        r2.stderr,
        /--backend pbs: use one of local, unsafe-local, slurm, container, kubernetes/,
      );
    } finally {
      cleanup(dir);
    }
  });
});
