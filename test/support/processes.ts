import { readdirSync, readFileSync } from "node:fs";

export interface FlowgateProcess {
  readonly pid: number;
  readonly role: string;
  readonly clusterName: string | undefined;
}

/** Live `flowgate scheduler|worker` processes on this machine, with their cluster's name. */
export function flowgateProcesses(): FlowgateProcess[] {
  const out: FlowgateProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      // Cluster processes set their title ("flowgate-worker <cluster>"), whatever started them
      // (the warm pool's launcher included); before it is set, the command line names the role.
      const titled = /^flowgate-(scheduler|worker)(?: (\S+))?/.exec(argv[0] ?? "");
      const bin = argv.findIndex((a) => a.endsWith("flowgate.js"));
      const role = titled ? titled[1] : bin >= 0 ? argv[bin + 1] : undefined;
      if (role !== "scheduler" && role !== "worker") continue;
      const status = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (/\) Z /.test(status)) continue; // a zombie is gone, only not yet reaped
      let name = titled?.[2];
      if (!name) {
        const env = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
        name = env.find((e) => e.startsWith("FLOWGATE_CLUSTER_NAME="))?.slice(22);
      }
      out.push({ pid: Number(entry), role, clusterName: name });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** The scheduler and worker processes of one gateway cluster. */
export function processesOfCluster(name: string): FlowgateProcess[] {
  return flowgateProcesses().filter((p) => p.clusterName === name);
}

/** Polls until `check` returns true, or fails with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
