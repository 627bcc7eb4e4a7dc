// Peer-to-peer data path alone: 64 x 1 MiB fetched by a PeerClient (this process) from a serving
// process (bench/fixtures/peer-server.ts, the worker's serving code), over a Unix socket and over
// mutual TLS. Each of RUNS runs uses a fresh server process and a fresh client connection, and
// reports the first round (cold: both processes' allocators and the JIT untouched), rounds 4-11
// (what bench/cluster.ts reports: `peerTransfer*GiBPerSecond`) and rounds 12-29 (warm), plus the
// CPU and page faults each side spent per GiB over all rounds. Prints one JSON object.
// Run: node --import ./bin/register.js bench/peer-transfer.ts [--runs=3] [--only=unix|tls]
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeClusterCredentials } from "../src/cluster/index.ts";
import { PeerClient } from "../src/cluster/worker/peer-client.ts";

const ROUNDS = 30;
const VALUES = 64;
const MIB = 1 << 20;
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const round2 = (x: number) => +x.toFixed(2);
const runs = Number(process.argv.find((a) => a.startsWith("--runs="))?.slice(7) ?? 3);
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);

/** A process's CPU time so far (user + system, all threads; seconds) and minor page faults, from /proc/PID/stat. */
function usage(pid: number): { cpu: number; faults: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 10, 14 and 15 of stat (minflt, utime, stime; 7, 11 and 12 after the command name).
  return { cpu: (Number(fields[11]) + Number(fields[12])) / 100, faults: Number(fields[7]) };
}

async function oneRun(serverArg: string, client: PeerClient) {
  const server = fork(fileURLToPath(new URL("./fixtures/peer-server.ts", import.meta.url)), [
    serverArg,
  ]);
  try {
    const addr = await new Promise<string>((resolve) => server.once("message", resolve));
    const keys = Array.from({ length: VALUES }, (_, i) => `0|${i}`);
    const rates: number[] = [];
    const server0 = usage(server.pid!);
    const client0 = usage(process.pid);
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const v = await client.fetch(addr, 1, keys);
      const s = (performance.now() - t0) / 1000;
      if (v.length !== VALUES || v.some((x, j) => !x || x.length !== MIB || x[MIB - 1] !== j))
        throw new Error("bad fetch");
      rates.push(VALUES / 1024 / s);
    }
    const client1 = usage(process.pid);
    const server1 = usage(server.pid!);
    const gib = (ROUNDS * VALUES) / 1024;
    return {
      cold: round2(rates[0]!),
      asInClusterBench: round2(median(rates.slice(4, 12))),
      warm: round2(median(rates.slice(12))),
      clientCpuSecondsPerGiB: round2((client1.cpu - client0.cpu) / gib),
      serverCpuSecondsPerGiB: round2((server1.cpu - server0.cpu) / gib),
      clientPageFaultsPerMiB: Math.round((client1.faults - client0.faults) / gib / 1024),
      serverPageFaultsPerMiB: Math.round((server1.faults - server0.faults) / gib / 1024),
    };
  } finally {
    client.close();
    server.disconnect();
  }
}

const out: Record<string, unknown> = {
  bench: "peer-transfer",
  note: `${VALUES} x 1 MiB per round, ${ROUNDS} rounds per run; GiB/s: round 0 (cold), median of rounds 4-11 (bench/cluster.ts's figure), median of rounds 12-${ROUNDS - 1} (warm)`,
  loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number),
};
const sec = await makeClusterCredentials();
const dir = mkdtempSync(join(tmpdir(), "flowgate-peer-bench-"));
try {
  for (const mode of ["unix", "tls"] as const) {
    if (only && only !== mode) continue;
    const results = [];
    for (let r = 0; r < runs; r++)
      results.push(
        mode === "unix"
          ? await oneRun(`unix://${join(dir, `peer-${r}.sock`)}`, new PeerClient(undefined))
          : await oneRun(JSON.stringify(sec), new PeerClient(sec)),
      );
    out[mode] = results;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(out, null, 1));
