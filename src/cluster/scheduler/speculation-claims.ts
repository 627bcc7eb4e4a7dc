import { makeRecord, taskKey, type FlowRun } from "./flow-run.ts";
import type { SchedulerCore } from "./scheduler-core.ts";
import { transition } from "./task-transitions.ts";
import type { WorkerRecord } from "./worker-record.ts";

// The scheduler's half of speculative assignment (see speculation-hint.ts): a worker's claims on
// the dependents it started itself are accepted as transitions or taken back.

/** Notes the claims of a `done` (flat [node, child, attempt] triples) before its entries are applied. */
export function noteClaims(run: FlowRun, worker: number, claimed: readonly number[]): void {
  const claims = (run.claims ??= new Map());
  for (let i = 0; i + 2 < claimed.length; i += 3) {
    const node = claimed[i]!;
    const child = claimed[i + 1]!;
    claims.set(taskKey(node, child), { node, child, worker, attempt: claimed[i + 2]! });
  }
}

/**
 * Whether a run command is for a task run a worker claimed: its record then waits in
 * `run.claimedRecords` for settleClaims instead of the queue.
 */
export function takeClaimed(run: FlowRun, node: number, child: number): boolean {
  if (!run.claims?.has(taskKey(node, child))) return false;
  (run.claimedRecords ??= []).push(makeRecord(run, node, child, false));
  return true;
}

/**
 * After a `done`'s entries were applied: each claimed task run the graph commanded goes
 * queued -> processing on the claiming worker (no compute is sent: it runs already); a claim whose
 * attempt differs is queued as usual; every claim not accepted is taken back from its worker.
 */
export function settleClaims(s: SchedulerCore, run: FlowRun, w: WorkerRecord, stim: string): void {
  const claims = run.claims;
  if (!claims) return;
  const records = run.claimedRecords ?? [];
  run.claims = undefined;
  run.claimedRecords = undefined;
  for (const rec of records) {
    const claim = claims.get(rec.key)!;
    if (claim.worker === w.id && claim.attempt === rec.attempt) {
      claims.delete(rec.key);
      const who = rec.args.map((a) =>
        a.k === "result" && !run.isConstant(a.node) ? run.holderOf(a.node, a.child) : null,
      );
      transition(s, rec, "processing", stim, { worker: w, who, claimed: true });
    } else s.queue.push(rec);
  }
  if (claims.size === 0) return;
  const keys: number[] = [];
  for (const claim of claims.values()) keys.push(claim.node, claim.child);
  s.send(w.id, { t: "take-back", run: run.id, keys });
}
