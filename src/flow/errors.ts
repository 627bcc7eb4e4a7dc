import { FlowgateError } from "../graph/errors.ts";

/** Thrown while a flow is defined or built: bad task options, misuse of task calls, cycles. */
export class FlowDefinitionError extends FlowgateError {
  constructor(message: string) {
    super("FG_FLOW_DEFINITION", message);
  }
}

/** Thrown by `flow.run()` for parameters that are unknown, missing or invalid. */
export class ParameterError extends FlowgateError {
  constructor(message: string) {
    super("FG_FLOW_PARAMETER", message);
  }
}

/** Thrown by a run result's accessors for a task the flow does not have or did not keep. */
export class ResultLookupError extends FlowgateError {
  constructor(message: string) {
    super("FG_FLOW_RESULT_LOOKUP", message);
  }
}

/** Thrown by `context()` outside a running task. */
export class NoTaskContextError extends FlowgateError {
  constructor() {
    super(
      "FG_FLOW_NO_CONTEXT",
      "context() was called outside a running task; call it inside a task's function",
    );
  }
}

/** Thrown (by `context().skip()`) to end the running task as Skipped. */
export class SkipSignal extends Error {
  override name = "SkipSignal";
}

/** Thrown (by `context().fail()`) to end the running task as Failed without a stack of its own. */
export class FailSignal extends Error {
  override name = "FailSignal";
}
