import { FlowgateError } from "../graph/errors.ts";

/**
 * Errors of the cluster layer. Each has a stable `FG_CLUSTER_<PROBLEM>` code and a message that
 * names the value at fault and the fix.
 */

/** A task ran on 3 workers that died while running it (Dask's KilledWorker). */
export class WorkerLostError extends FlowgateError {
  constructor(
    readonly taskKey: string,
    readonly workers: readonly string[],
  ) {
    super(
      "FG_CLUSTER_WORKER_LOST",
      `WorkerLostError: task '${taskKey}' was running on ${workers.length} workers that died (${workers.join(", ")}); ` +
        `it probably crashes its worker process (out of memory, process.exit, a native crash); fix the task or give workers more memory`,
    );
  }
}

/** A value cannot cross the wire: it is not a structured-clone value (a function, a class instance with private state, …). */
export class SerializationError extends FlowgateError {
  constructor(
    readonly taskKey: string,
    what: string,
    cause: unknown,
  ) {
    super(
      "FG_CLUSTER_SERIALIZE",
      `${what} of task '${taskKey}' cannot be sent over the wire: ${cause instanceof Error ? cause.message : String(cause)}; ` +
        `use structured-clone values only (plain objects, arrays, Map, Set, Date, typed arrays, BigInt, Buffer)`,
      { cause },
    );
  }
}

/** A worker could not import a flow bundle (for example a module it imports is missing there). */
export class BundleLoadError extends FlowgateError {
  constructor(
    readonly worker: string,
    readonly flowName: string,
    detail: string,
  ) {
    super(
      "FG_CLUSTER_BUNDLE_LOAD",
      `worker '${worker}' could not load the code of flow '${flowName}': ${detail}; ` +
        `install the missing module in the worker's environment (native or heavy dependencies are not bundled)`,
    );
  }
}

/** Connecting to a scheduler failed or timed out, or the TLS handshake was refused. */
export class ClusterConnectError extends FlowgateError {
  constructor(
    readonly address: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super("FG_CLUSTER_CONNECT", `could not connect to scheduler at ${address}: ${detail}`, options);
  }
}

/**
 * An address is not tls://, tcp://, ws:// or wss://host:port, nor unix:///absolute/path.sock
 * (`why` says what is wrong with a unix:// one: a relative path, too long for sun_path).
 */
export class AddressError extends FlowgateError {
  constructor(
    address: string,
    readonly why?: string,
  ) {
    super(
      "FG_CLUSTER_ADDRESS",
      why
        ? `'${address}' is not a usable cluster address: ${why}`
        : `'${address}' is not a cluster address; use tls://host:port, tcp://host:port, ws://host:port/path, wss://host:port/path or unix:///absolute/path.sock`,
    );
  }
}

/** The connection to the scheduler closed while a flow run was in progress. */
export class SchedulerLostError extends FlowgateError {
  constructor(address: string, detail: string) {
    super(
      "FG_CLUSTER_SCHEDULER_LOST",
      `lost the connection to scheduler ${address} during the flow run: ${detail}`,
    );
  }
}

/** A frame on the wire is malformed (wrong length prefix); the peer is not speaking the protocol. */
export class FrameError extends FlowgateError {
  constructor(message: string) {
    super("FG_CLUSTER_FRAME", message);
  }
}

/** A cluster process (LocalCluster) failed to start. */
export class ClusterStartError extends FlowgateError {
  constructor(message: string, options?: ErrorOptions) {
    super("FG_CLUSTER_START", message, options);
  }
}

/** A `--memory-limit` value (or LocalCluster's `memoryLimit`) cannot be read as a size. */
export class MemoryLimitError extends FlowgateError {
  constructor(
    readonly value: string,
    readonly detail: string,
  ) {
    super("FG_CLUSTER_MEMORY_LIMIT", `--memory-limit '${value}' is not valid: ${detail}`);
  }
}

/** A task's thread ran out of the heap the worker's memory limit gives it; the task fails, the worker goes on. */
export class TaskMemoryError extends FlowgateError {
  constructor(
    readonly taskKey: string,
    readonly worker: string,
    detail: string,
  ) {
    super(
      "FG_CLUSTER_TASK_MEMORY",
      `TaskMemoryError: task '${taskKey}' ran out of memory on worker '${worker}': ${detail}`,
    );
  }
}

/**
 * The scheduler was asked to move a task run between two states no transition joins (a bug in
 * the scheduler, or a worker message out of order that it failed to ignore): it names the task,
 * both states, the stimulus and the task's recent story.
 */
export class InvalidTransitionError extends FlowgateError {
  constructor(
    readonly taskKey: string,
    readonly from: string,
    readonly to: string,
    readonly stimulusId: string,
    readonly story: readonly string[],
  ) {
    super(
      "FG_CLUSTER_INVALID_TRANSITION",
      `InvalidTransitionError: task '${taskKey}' cannot go from '${from}' to '${to}' (stimulus '${stimulusId}'); ` +
        `its story: ${story.length ? story.join("; ") : "(none)"}; this is a scheduler bug, please report it with this message`,
    );
  }
}
