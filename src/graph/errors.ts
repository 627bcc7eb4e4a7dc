/**
 * Base of every error flowgate throws on purpose. `code` is stable (`FG_<LAYER>_<PROBLEM>`) and
 * listed in docs/errors.md; match on it rather than on the message.
 */
export class FlowgateError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Thrown when a graph handed to an executor is malformed (a ref to a later or unknown node). */
export class InvalidGraphError extends FlowgateError {
  constructor(message: string) {
    super("FG_GRAPH_INVALID", message);
  }
}
