import { ensureTypeScriptLoader } from "./typescript-loader.ts";

/**
 * In worker mode (a cluster worker importing a flow's bundle) `flow.run()` does nothing, so a
 * flow file that runs itself at the top level does not start again on every worker.
 */
const WORKER_MODE = Symbol.for("flowgate.workerMode");

export function enterWorkerMode(): void {
  (globalThis as Record<symbol, unknown>)[WORKER_MODE] = true;
}

const LOADING = Symbol.for("flowgate.loadingFlowFile");

export function inWorkerMode(): boolean {
  const g = globalThis as Record<symbol, unknown>;
  return g[WORKER_MODE] === true || g[LOADING] === true;
}

let onSuppressedRun: (() => void) | undefined;

/** Called by `flow.run()` when it does nothing because a flow file is loading. */
export function noteSuppressedRun(): void {
  onSuppressedRun?.();
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
  const stuck = new Promise<undefined>((resolve) => {
    onSuppressedRun = () => setImmediate(() => resolve(undefined));
  });
  try {
    return await Promise.race([import(url) as Promise<Record<string, unknown>>, stuck]);
  } finally {
    g[LOADING] = false;
    onSuppressedRun = undefined;
  }
}
