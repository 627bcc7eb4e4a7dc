// The transport floor under bench/cluster.ts's submit -> result: the same four process hops
// (client -> scheduler -> worker -> scheduler -> client) between three bare Node processes that
// only forward bytes, over a Unix socket and over mutual TLS, optionally with the worker's
// thread hop. Prints one JSON object. Run: node --import ./bin/register.js bench/hop-floor.ts
// What flowgate adds on top of these figures is its own processing.
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { Worker } from "node:worker_threads";
import { makeSelfSignedCredentials } from "../src/common/index.ts";

const SUBMIT = 300; // bytes of a one-task submit
const ANSWER = 60; // bytes of a `done` / result
const ROUNDS = 2000;
type Mode = "unix" | "tls";
type Role = "scheduler" | "worker";

interface Setup {
  readonly mode: Mode;
  readonly dir: string;
  readonly thread: boolean;
}

/** A stream that hands `onChunk` each `size`-byte message it receives. */
function framed(s: net.Socket, size: () => number, onMessage: (m: Buffer) => void): void {
  let held: Buffer = Buffer.alloc(0);
  s.on("data", (d: Buffer) => {
    held = held.length ? Buffer.concat([held, d]) : d;
    while (held.length >= size()) {
      const m = held.subarray(0, size());
      held = held.subarray(size());
      onMessage(m);
    }
  });
}

function credentials(dir: string) {
  return {
    key: readFileSync(join(dir, "key.pem")),
    cert: readFileSync(join(dir, "cert.pem")),
    ca: readFileSync(join(dir, "cert.pem")),
    requestCert: true,
    rejectUnauthorized: true,
    checkServerIdentity: () => undefined,
  };
}

function listen(setup: Setup, name: string, onSocket: (s: net.Socket) => void): Promise<string> {
  const server =
    setup.mode === "tls"
      ? tls.createServer(credentials(setup.dir), onSocket)
      : net.createServer(onSocket);
  return new Promise((resolve) => {
    if (setup.mode === "unix") {
      const path = join(setup.dir, `${name}.sock`);
      server.listen(path, () => resolve(path));
    } else
      server.listen(0, "127.0.0.1", () =>
        resolve(String((server.address() as net.AddressInfo).port)),
      );
  });
}

function connect(setup: Setup, where: string): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s =
      setup.mode === "tls"
        ? tls.connect({ port: Number(where), host: "127.0.0.1", ...credentials(setup.dir) }, () =>
            resolve(s),
          )
        : net.connect(where, () => resolve(s));
    s.setNoDelay(true);
  });
}

/** A child process: the scheduler forwards submits to the worker and answers back; the worker answers. */
async function child(role: Role, setup: Setup, upstream?: string): Promise<void> {
  if (role === "worker") {
    const thread = setup.thread
      ? new Worker(
          "const{parentPort:p}=require('node:worker_threads');p.on('message',m=>p.postMessage(m))",
          { eval: true },
        )
      : undefined;
    const where = await listen(setup, "worker", (s) => {
      s.setNoDelay(true);
      framed(
        s,
        () => SUBMIT,
        () => {
          if (!thread) return void s.write(Buffer.alloc(ANSWER));
          thread.once("message", () => s.write(Buffer.alloc(ANSWER)));
          thread.postMessage(1);
        },
      );
    });
    return void process.send!(where);
  }
  const worker = await connect(setup, upstream!);
  let client: net.Socket | undefined;
  framed(
    worker,
    () => ANSWER,
    (m) => client!.write(m),
  );
  const where = await listen(setup, "scheduler", (s) => {
    s.setNoDelay(true);
    client = s;
    framed(
      s,
      () => SUBMIT,
      (m) => worker.write(m),
    );
  });
  process.send!(where);
}

function start(role: Role, setup: Setup, upstream?: string): Promise<[ChildProcess, string]> {
  const p = fork(new URL(import.meta.url).pathname, [role, JSON.stringify(setup), upstream ?? ""], {
    execArgv: process.execArgv,
  });
  return new Promise((resolve) => p.once("message", (where) => resolve([p, String(where)])));
}

async function measure(mode: Mode, thread: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-hops-"));
  if (mode === "tls") {
    const c = await makeSelfSignedCredentials("hop-floor");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "cert.pem"), c.tlsCert);
    writeFileSync(join(dir, "key.pem"), c.tlsKey);
  }
  const setup: Setup = { mode, dir, thread };
  const [w, wAt] = await start("worker", setup);
  const [s, sAt] = await start("scheduler", setup, wAt);
  const sock = await connect(setup, sAt);
  const times: number[] = [];
  await new Promise<void>((done) => {
    let t0 = 0;
    const submit = () => {
      t0 = performance.now();
      sock.write(Buffer.alloc(SUBMIT));
    };
    framed(
      sock,
      () => ANSWER,
      () => {
        times.push(performance.now() - t0);
        if (times.length < ROUNDS) submit();
        else done();
      },
    );
    submit();
  });
  sock.destroy();
  w.kill();
  s.kill();
  rmSync(dir, { recursive: true, force: true });
  const warm = times.slice(200).sort((a, b) => a - b);
  return +(warm[warm.length >> 1]! * 1000).toFixed(1);
}

const [role, setupJson, upstream] = process.argv.slice(2);
if (role === "scheduler" || role === "worker")
  await child(role, JSON.parse(setupJson!) as Setup, upstream || undefined);
else {
  const out: Record<string, number> = {};
  for (const mode of ["unix", "tls"] as const)
    for (const thread of [false, true])
      out[`${mode}${thread ? "+thread" : ""}`] = await measure(mode, thread);
  console.log(
    JSON.stringify({
      bench: "hop-floor",
      submitToResultFloorMicroseconds: out,
      note: `p50 of ${ROUNDS - 200} round trips client -> scheduler -> worker (-> its thread) -> scheduler -> client between bare Node processes forwarding ${SUBMIT}/${ANSWER}-byte messages: the transport part of bench/cluster.ts's submitToResultMs on this machine`,
    }),
  );
}
