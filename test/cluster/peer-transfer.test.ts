import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { makeClusterCredentials } from "../../src/cluster/index.ts";
import type { ClusterSecurity } from "../../src/cluster/security.ts";
import { encodeMessage } from "../../src/cluster/wire/codec.ts";
import { Connection, type Message } from "../../src/cluster/wire/connection.ts";
import { dial } from "../../src/cluster/wire/dial.ts";
import { framePrefix } from "../../src/cluster/wire/frame-parser.ts";
import { steeringOf } from "../../src/cluster/wire/read-steering.ts";
import { listenTcp } from "../../src/cluster/wire/tcp-transport.ts";
import { connectUnix, listenUnix } from "../../src/cluster/wire/unix-transport.ts";
import { PeerClient } from "../../src/cluster/worker/peer-client.ts";
import { servePeer } from "../../src/cluster/worker/peer-serving.ts";
import { ResultStore } from "../../src/cluster/worker/result-store.ts";

const MIB = 1 << 20;
const pattern = (n: number, seed: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

/** Results of every awkward size: large, at the 64 KiB read size and around it, empty, tiny. */
const sizes = [MIB + 1, 65_536, 65_535, 65_537, 0, 1, 3 * MIB, 32 * 1024, 100];
const store = new ResultStore();
sizes.forEach((n, i) => store.set(1, 0, i, pattern(n, i)));
const keys = [...sizes.map((_, i) => `0|${i}`), "0|99"];

let dir: string;
let security: ClusterSecurity;
const servers: Server[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "flowgate-peer-"));
  security = await makeClusterCredentials("peer-test");
});
after(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serving(kind: "unix" | "tls", onStream: (s: Duplex) => void): Promise<string> {
  if (kind === "unix") {
    const path = join(dir, `p-${servers.length}.sock`);
    servers.push(await listenUnix(path, onStream));
    return `unix://${path}`;
  }
  const server = await listenTcp("127.0.0.1", 0, security, onStream);
  servers.push(server);
  return `tls://127.0.0.1:${(server.address() as { port: number }).port}`;
}

for (const kind of ["unix", "tls"] as const)
  describe(`peer transfer over ${kind === "unix" ? "a Unix socket" : "mutual TLS"}`, () => {
    test("every value arrives whole, each in a buffer of its own size; a key not held is null", async () => {
      const address = await serving(kind, (s) => servePeer(s, store));
      const client = new PeerClient(kind === "tls" ? security : undefined);
      try {
        for (let round = 0; round < 3; round++) {
          const got = await client.fetch(address, 1, keys);
          assert.equal(got.length, keys.length);
          sizes.forEach((n, i) => {
            assert.ok(got[i]!.equals(pattern(n, i)), `value ${i} (${n} bytes), round ${round}`);
            if (n > 65_536)
              assert.equal(got[i]!.buffer.byteLength, n, `value ${i} pins no more than itself`);
          });
          assert.equal(got[sizes.length], null);
        }
        // Many requests in flight on one connection: answers are matched to their requests.
        const many = await Promise.all(
          Array.from({ length: 20 }, (_, j) => client.fetch(address, 1, [`0|${j % sizes.length}`])),
        );
        many.forEach((v, j) =>
          assert.ok(v[0]!.equals(pattern(sizes[j % sizes.length]!, j % sizes.length))),
        );
      } finally {
        client.close();
      }
    });

    test("a peer that closes in the middle of a value: the fetch resolves with nulls", async () => {
      const head = encodeMessage([{ t: "data", id: 1, $att: [MIB] }]);
      const address = await serving(kind, (s) => {
        s.on("error", () => {});
        s.once("data", () => {
          s.write(Buffer.concat([framePrefix(head.length, MIB), head, pattern(300_000, 1)]));
          setTimeout(() => s.destroy(), 20);
        });
      });
      const client = new PeerClient(kind === "tls" ? security : undefined);
      try {
        assert.deepEqual(await client.fetch(address, 1, ["0|0", "0|1"]), [null, null]);
      } finally {
        client.close();
      }
    });

    test("a corrupt length prefix closes the connection with a FrameError's message", async () => {
      const address = await serving(kind, (s) => {
        s.on("error", () => {});
        s.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1]));
      });
      const c = await dial(address, kind === "tls" ? security : undefined, 5000);
      assert.ok(steeringOf(c.stream), "a dialed socket's reads are steered (read-steering.ts)");
      const reason = await new Promise<string>((resolve) => (c.onClose = resolve));
      assert.match(reason, /frame length 4294967295 exceeds the 2147483647-byte limit/);
      assert.ok(c.closed);
    });
  });

test("bytes that arrive before the Connection is made over a socket are not lost", async () => {
  const value = pattern(200_000, 7);
  const head = encodeMessage([{ t: "hello", $att: [value.length, -1] }]);
  const address = await serving("unix", (s) => {
    s.on("error", () => {});
    s.write(Buffer.concat([framePrefix(head.length, value.length), head, value]));
  });
  const stream = await connectUnix(address.slice("unix://".length));
  await sleep(100); // the server's frame is read meanwhile, with no Connection to take it
  const c = new Connection(stream);
  try {
    const m = await new Promise<Message>((resolve) => (c.onMessage = resolve));
    assert.equal(m.t, "hello");
    assert.deepEqual(m.values, [value, null]);
  } finally {
    c.close();
  }
});
