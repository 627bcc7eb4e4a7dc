import { parentPort, workerData } from "node:worker_threads";
import type { ToThread } from "./thread-messages.ts";
import { transferOf, unpackTasks } from "./thread-batch.ts";
import { captureConsole } from "./task-invocation.ts";
import { TaskRunner } from "./task-runner.ts";

/**
 * Runs inside a worker thread: a TaskRunner (task-runner.ts) fed by the worker's I/O loop's
 * messages, posting results (as V8 bytes) and logs back to it.
 */
const port = parentPort!;
captureConsole("stderr");
const runner = new TaskRunner(
  {
    logs: (list) => port.postMessage({ t: "logs", list }),
    results: (packed) => port.postMessage({ t: "results", results: packed }, transferOf(packed)),
    begin: (s) => port.postMessage({ t: "begin", s }),
    loadFailed: (run, message) => port.postMessage({ t: "load-failed", run, message }),
  },
  // The number (`s`) of the task run going on, shared with the pool: it names the task if this thread dies of OOM.
  { running: (workerData as { running: Int32Array }).running },
);

port.on("message", (m: ToThread) => {
  if (m.t === "run") runner.addRun(m.info, undefined, true);
  else if (m.t === "tasks") runner.submit(unpackTasks(m.tasks), m.inputs);
  else if (m.t === "cancel") runner.cancel(m.run);
  else if (m.t === "forget") runner.forget(m.run);
  else if (m.t === "release") runner.release(m.run, m.node);
});

port.postMessage({ t: "ready" });
