import type { ArgRef } from "../../graph/commands.ts";
import type { PackedDeps } from "./packed-deps.ts";

/** What a worker's I/O loop tells a task thread about a flow run, once per run. */
export interface ThreadRunInfo {
  readonly run: number;
  readonly graph: Buffer;
  readonly params: Buffer;
  readonly flowRunId: string;
  readonly flowName: string;
  readonly bundlePath: string;
  readonly taskHost: string;
}

/** One task run handed to a thread, with the bytes of the inputs it needs. */
export interface ThreadTask {
  readonly run: number;
  readonly n: number;
  readonly c: number;
  readonly a: number;
  readonly m: number;
  readonly args: readonly (ArgRef | null)[];
  readonly deps: PackedDeps;
  /** Its number among the task runs handed to this thread. */
  readonly s: number;
}

export interface ThreadResult {
  readonly run: number;
  readonly n: number;
  readonly c: number;
  readonly code: number;
  readonly ms: number;
  readonly bytes?: Buffer;
  readonly length?: number;
  readonly inner?: number[];
  readonly message?: string;
  readonly stack?: string;
}
