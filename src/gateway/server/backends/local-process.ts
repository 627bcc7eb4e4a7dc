import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, fchownSync, openSync, readFileSync } from "node:fs";

/** Exit codes of children this process spawned (an exited child can linger as a zombie pid). */
const exited = new Map<number, number | string>();
const exitWaiters = new Map<number, (() => void)[]>();
const children = new Set<number>();

/** Records a child of ours so its exit is known (and waited on) by pid. */
export function trackChild(child: ChildProcess, onExit: (code: number | string) => void): number {
  const pid = child.pid;
  if (pid === undefined) throw new Error("the process did not start");
  children.add(pid);
  child.on("error", () => {});
  child.on("exit", (code, signal) => {
    const result = code ?? signal ?? "unknown";
    exited.set(pid, result);
    children.delete(pid);
    for (const w of exitWaiters.get(pid) ?? []) w();
    exitWaiters.delete(pid);
    onExit(result);
  });
  return pid;
}

/** Unix ids a process runs as; absent = the gateway's own. */
export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Spawns a detached child (its own process group) writing stdout+stderr to `logFile`, so the
 * child outlives a crashed gateway and can be adopted after a restart. `env` is the child's
 * whole environment; with `runAs` the child (and its log file) belong to that account.
 */
export function spawnLogged(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  logFile: string,
  onExit: (code: number | string) => void,
  runAs?: RunAs,
): number {
  const fd = openSync(logFile, "a", 0o600);
  try {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error("empty command");
    if (runAs) fchownSync(fd, runAs.uid, runAs.gid);
    // With uid/gid, libuv also drops the gateway's supplementary groups (setgroups(0)).
    const child = spawn(cmd, args, {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", fd, fd],
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    const pid = trackChild(child, onExit);
    child.unref();
    return pid;
  } finally {
    closeSync(fd);
  }
}

/** How a child of ours ended, if it did. */
export function exitCodeOf(pid: number): number | string | undefined {
  return exited.get(pid);
}

/** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), if readable. */
export function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return undefined;
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is alive and is the process of `clusterName`: a zombie counts as dead, and a
 * reused pid is told apart by the start time recorded at spawn (or, without one, by the
 * FLOWGATE_CLUSTER_NAME in its environment), so an adopted process is never mistaken.
 */
export function isAlive(pid: number, clusterName: string, pstart?: number): boolean {
  if (exited.has(pid)) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (children.has(pid)) return true;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return !existsSync("/proc/self/stat"); // no /proc (not Linux): kill(0) is all we know
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return false;
  if (pstart !== undefined) return Number(fields[19]) === pstart;
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1").includes(
      `FLOWGATE_CLUSTER_NAME=${clusterName}\0`,
    );
  } catch {
    return true;
  }
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

async function waitGone(
  pid: number,
  clusterName: string,
  ms: number,
  pstart?: number,
): Promise<boolean> {
  if (!isAlive(pid, clusterName, pstart)) return true;
  if (children.has(pid)) {
    return new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(!isAlive(pid, clusterName, pstart)), ms);
      const list = exitWaiters.get(pid) ?? [];
      list.push(() => {
        clearTimeout(t);
        resolve(true);
      });
      exitWaiters.set(pid, list);
    });
  }
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    if (!isAlive(pid, clusterName, pstart)) return true;
  }
  return false;
}

/** SIGTERM to the process group, then SIGKILL after `graceMs`; resolves once it is gone. */
export async function terminate(
  pid: number,
  clusterName: string,
  graceMs: number,
  pstart?: number,
): Promise<void> {
  if (!isAlive(pid, clusterName, pstart)) {
    signalGroup(pid, "SIGKILL"); // grandchildren left in the group, if any
    return;
  }
  signalGroup(pid, "SIGTERM");
  if (await waitGone(pid, clusterName, graceMs, pstart)) {
    signalGroup(pid, "SIGKILL");
    return;
  }
  signalGroup(pid, "SIGKILL");
  await waitGone(pid, clusterName, 2000, pstart);
}
