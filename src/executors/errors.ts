import { FlowgateError } from "../graph/errors.ts";

/** Thrown when an executor is constructed with options that cannot work. */
export class ExecutorOptionsError extends FlowgateError {
  constructor(message: string) {
    super("FG_EXECUTOR_OPTIONS", message);
  }
}

/**
 * Thrown when cluster workers cannot find a flow's tasks: loading the flow's file there never
 * constructs the flow, because it is defined where module evaluation does not reach (inside a
 * function that only runs later, after a gateway call, or behind a condition).
 */
export class TaskNotDefinedError extends FlowgateError {
  constructor(
    readonly taskName: string,
    readonly flowName: string,
    readonly sourceFile: string,
    detail: string,
  ) {
    super(
      "FG_EXECUTOR_TASK_NOT_DEFINED",
      `task '${taskName}' of flow '${flowName}' is not defined when ${sourceFile} is loaded on a cluster worker (${detail}); define tasks at module top level or in a flow's builder, and construct the flow where loading the file reaches it`,
    );
  }
}
