import { ensureTypeScriptLoader } from "./typescript-loader.ts";

/**
 * A user's flow file is also imported where it must not act: on cluster workers (to find its
 * tasks) and by `flowgate run` (to find its flow). There its top-level side effects are inert:
 * - `flow.run()` does nothing: on a worker it resolves at once to a result in state Cancelled
 *   ("not run"), so the code after it is reached and flows constructed later are found; while
 *   `flowgate run` loads a file it never settles (the command runs the flow itself);
 * - `LocalCluster()` starts nothing and resolves to a cluster that is not there;
 * - the gateway client sends nothing, and its calls never settle.
 */
const WORKER_MODE = Symbol.for("flowgate.workerMode");
const LOADING = Symbol.for("flowgate.loadingFlowFile");

/** Puts this realm (a task thread) in worker mode, for good. */
export function enterWorkerMode(): void {
  (globalThis as Record<symbol, unknown>)[WORKER_MODE] = true;
}

/** Whether a user's module is being loaded where its side effects must be inert. */
export function inWorkerMode(): boolean {
  const g = globalThis as Record<symbol, unknown>;
  return g[WORKER_MODE] === true || g[LOADING] === true;
}

/** Whether this is a cluster worker's task thread (not `flowgate run` loading a file). */
export function onClusterWorker(): boolean {
  return (globalThis as Record<symbol, unknown>)[WORKER_MODE] === true;
}

/** Marks the load failure of a flow its bundle never constructs (bundle-host, ClusterExecutor). */
export const FLOW_NOT_CONSTRUCTED = "is not constructed when its file is loaded on a worker";

const stallListeners = new Set<() => void>();

/**
 * Called by an inert call whose promise never settles: a module awaiting it at its top level
 * stops there. Loaders listen, so that they do not wait for that module's evaluation to end.
 */
export function noteSuppressedRun(): void {
  for (const l of stallListeners) l();
}

/** An inert call's result: a promise that never settles (noted as a stall). */
export function neverSettles<T>(): Promise<T> {
  noteSuppressedRun();
  return new Promise<T>(() => {});
}

/**
 * Calls `listener` (after pending callbacks ran) when an inert call left a promise that never
 * settles, until the returned function is called.
 */
export function onStall(listener: () => void): () => void {
  const l = () => setImmediate(listener);
  stallListeners.add(l);
  return () => stallListeners.delete(l);
}

/**
 * Imports a flow file with its own top-level `flow.run()` calls suppressed (as Prefect's
 * `loading_flow`), so that `flowgate run file.ts` runs the flow once, not twice. Resolves to the
 * module namespace, or to undefined when the file is stuck awaiting a suppressed run at its top
 * level (its flows are constructed by then).
 */
export async function importFlowFile(url: string): Promise<Record<string, unknown> | undefined> {
  await ensureTypeScriptLoader();
  const g = globalThis as Record<symbol, unknown>;
  g[LOADING] = true;
  let stop = () => {};
  const stuck = new Promise<undefined>((resolve) => {
    stop = onStall(() => resolve(undefined));
  });
  try {
    return await Promise.race([import(url) as Promise<Record<string, unknown>>, stuck]);
  } finally {
    g[LOADING] = false;
    stop();
  }
}
