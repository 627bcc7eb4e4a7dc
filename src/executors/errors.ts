import { FlowgateError } from "../graph/errors.ts";

/** Thrown when an executor is constructed with options that cannot work. */
export class ExecutorOptionsError extends FlowgateError {
  constructor(message: string) {
    super("FG_EXECUTOR_OPTIONS", message);
  }
}
