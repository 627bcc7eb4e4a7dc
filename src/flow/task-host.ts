import type { Invocation, InvocationResult, TaskHost } from "../graph/index.ts";
import { InvocationContext, runWithContext } from "./context.ts";
import { FailSignal, SkipSignal } from "./errors.ts";
import type { TaskDefinition } from "./flow-builder.ts";

/** Runs a flow's task functions in this process, each inside its task context. */
export class FlowTaskHost implements TaskHost {
  constructor(private readonly tasks: ReadonlyMap<string, TaskDefinition>) {}

  invoke(inv: Invocation, args: readonly unknown[]): Promise<InvocationResult> {
    const def = this.tasks.get(inv.key);
    if (!def)
      return Promise.resolve({
        type: "Failed",
        message: `no task with key '${inv.key}' in this flow; was the flow file changed while it ran?`,
      });
    const controller = inv.timeout > 0 ? new AbortController() : undefined;
    const signal = controller ? AbortSignal.any([inv.signal, controller.signal]) : inv.signal;
    const ctx = new InvocationContext(inv, signal);
    let value: unknown;
    const started = inv.timeout > 0 ? performance.now() : 0;
    try {
      value = runWithContext(ctx, () => (def.fn as (...a: readonly unknown[]) => unknown)(...args));
    } catch (e) {
      return Promise.resolve(failure(e));
    }
    if (!(value instanceof Promise)) {
      // A synchronous task cannot be interrupted here; its late result is discarded instead.
      if (controller && performance.now() - started > inv.timeout) {
        controller.abort();
        return Promise.resolve(timedOut(inv.timeout));
      }
      return Promise.resolve({ type: "Success", value });
    }
    const settled = value.then(
      (v): InvocationResult => ({ type: "Success", value: v }),
      (e): InvocationResult => failure(e),
    );
    if (!controller) return settled;
    return new Promise<InvocationResult>((resolve) => {
      const timer = setTimeout(() => {
        controller.abort(new Error(`timed out after ${inv.timeout} ms`));
        resolve(timedOut(inv.timeout));
      }, inv.timeout);
      void settled.then((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }
}

function timedOut(ms: number): InvocationResult {
  return { type: "TimedOut", message: `task run timed out after ${ms} ms` };
}

function failure(e: unknown): InvocationResult {
  if (e instanceof SkipSignal) return { type: "Skipped", message: e.message };
  if (e instanceof Error)
    return {
      type: "Failed",
      message: e.message || e.name,
      stack: e instanceof FailSignal ? undefined : e.stack,
    };
  return { type: "Failed", message: `task threw a non-Error value: ${String(e)}` };
}
