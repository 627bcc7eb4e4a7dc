import type { ClusterRecord } from "./cluster-record.ts";
import { SchedulerUnreachableError } from "./errors.ts";

/**
 * Sends a `scale` or `adapt` op to the scheduler's POST /api/comm (CONTRACTS.md), with the
 * cluster token; 3 tries, 0.1 s doubling. Throws SchedulerUnreachableError (409) after that.
 */
export async function sendToScheduler(
  c: ClusterRecord,
  msg: Record<string, unknown>,
  tries = 3,
): Promise<void> {
  const base = c.apiAddress ?? c.dashboardAddress;
  if (!base) throw new SchedulerUnreachableError(c.name);
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const res = await fetch(`${base.replace(/\/$/, "")}/api/comm`, {
        method: "POST",
        headers: { authorization: `token ${c.token}`, "content-type": "application/json" },
        body: JSON.stringify(msg),
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      if (res.ok) return;
      last = new Error(`HTTP ${res.status}`);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100 * 2 ** i));
  }
  throw new SchedulerUnreachableError(c.name, { cause: last });
}
