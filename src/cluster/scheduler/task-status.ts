/**
 * Where a task run stands on the scheduler (beside its graph state, which says how it ended):
 * - `queued`: waiting for a worker with room;
 * - `waiting`: inputs whose only copy was lost are being recomputed first;
 * - `processing`: sent to a worker, not known to have begun;
 * - `running`: the worker said it began (a slow task), so a worker death counts against it;
 * - `finished`: the worker reported its outcome; `erred`: the scheduler failed it (workers kept
 *   dying under it, or a lost input could not be recomputed).
 */
export const TASK_STATUSES = [
  "queued",
  "waiting",
  "processing",
  "running",
  "finished",
  "erred",
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
