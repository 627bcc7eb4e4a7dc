import { spawn, type ChildProcess } from "node:child_process";
import { chownSync, closeSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { trackChild, type RunAs } from "./local-process.ts";

const launcher = new URL("./warm-launcher.mjs", import.meta.url).pathname;
const valueFlags = new Set([
  "--import",
  "--require",
  "-r",
  "--loader",
  "--experimental-loader",
  "--conditions",
  "-C",
]);

interface Spare {
  child: ChildProcess;
  pid: number;
  log: string;
  onExit: (code: number | string) => void;
}

/** Splits `node [node flags] script args…` into the node flags and the rest; undefined if not node. */
function splitNodeArgv(argv: string[]): { flags: string[]; rest: string[] } | undefined {
  if (argv[0] !== process.execPath) return undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("-")) {
      if (valueFlags.has(a)) i++;
      continue;
    }
    return { flags: argv.slice(1, i), rest: argv.slice(i) };
  }
  return undefined;
}

/**
 * Keeps `size` idle Node processes per set of node flags, so starting a scheduler or worker does
 * not pay Node's start-up (150–300 ms on a small machine). A spare writes to its own log file,
 * renamed into the cluster's directory when it is taken; it runs detached, like a cold start.
 * A spare starts with `spareEnv` only (never the gateway's environment) and, when taken, swaps
 * in the job's whole environment and, if the job names an account, becomes that account.
 */
export class WarmPool {
  readonly #spares = new Map<string, Spare[]>();
  readonly #dir: string;
  #closed = false;

  constructor(
    dataDir: string,
    private readonly size: number,
    private readonly spareEnv: Record<string, string>,
  ) {
    // A folder of this pool's own: gateways sharing a state folder (the default one) must not
    // remove each other's spare logs when one of them closes.
    this.#dir = join(dataDir, "spares", `${process.pid}-${randomBytes(4).toString("hex")}`);
    if (size > 0) mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  /** Starts spares for a command now, so the first cluster already finds one. */
  prewarm(argv: string[]): void {
    const s = splitNodeArgv(argv);
    if (s && this.size > 0) this.#fill(s.flags);
  }

  #fill(flags: string[]): void {
    const key = JSON.stringify(flags);
    const list = this.#spares.get(key) ?? [];
    this.#spares.set(key, list);
    while (!this.#closed && list.length < this.size) {
      const log = join(this.#dir, `${randomBytes(6).toString("hex")}.log`);
      const fd = openSync(log, "a", 0o600);
      let child: ChildProcess;
      try {
        child = spawn(process.execPath, [...flags, launcher], {
          env: this.spareEnv,
          detached: true,
          stdio: ["pipe", fd, fd],
        });
      } finally {
        closeSync(fd);
      }
      const spare: Spare = { child, pid: 0, log, onExit: () => {} };
      spare.pid = trackChild(child, (code) => {
        const i = list.indexOf(spare);
        if (i >= 0) list.splice(i, 1); // a spare that died idle is just dropped
        spare.onExit(code);
      });
      child.stdin!.on("error", () => {});
      child.unref();
      list.push(spare);
    }
  }

  /** Runs `argv` in a spare if one fits; returns its pid, or undefined to start cold. */
  take(
    argv: string[],
    env: Record<string, string>,
    cwd: string,
    logFile: string,
    onExit: (code: number | string) => void,
    runAs?: RunAs,
  ): number | undefined {
    const s = splitNodeArgv(argv);
    if (!s || this.size === 0 || this.#closed) return undefined;
    const list = this.#spares.get(JSON.stringify(s.flags));
    const spare = list?.shift();
    this.#fill(s.flags);
    if (!spare || spare.child.exitCode !== null) return undefined;
    renameSync(spare.log, logFile);
    if (runAs) chownSync(logFile, runAs.uid, runAs.gid);
    spare.onExit = onExit;
    spare.child.stdin!.end(JSON.stringify({ argv: s.rest, env, cwd, ...runAs }) + "\n");
    return spare.pid;
  }

  /** Ends the idle spares (their stdin closes and they exit). */
  close(): void {
    this.#closed = true;
    for (const list of this.#spares.values())
      for (const s of list.splice(0)) {
        s.child.stdin!.destroy();
        s.child.kill("SIGKILL");
      }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
