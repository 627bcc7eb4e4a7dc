import type { LogRecord } from "../graph/index.ts";
import type { TaskRunUpdate } from "../executors/index.ts";
import type { TaskState } from "../flow/index.ts";
import type { LogLineInput, TaskStateUpdate } from "../server/api/index.ts";
import type { ServerClient } from "../server/client/index.ts";

const FLUSH_MS = 100;
const MAX_BATCH = 5000;
const MAX_MESSAGE = 65536;

/**
 * Streams one run's log lines and task states to the server in batches (every 100 ms, or at
 * once when a batch is full), in order: live task-run states as the executor reports them, then
 * the exact final states. Sending never throws into the run: a batch the server
 * refuses or cannot take is dropped, and its error kept in `lastError`.
 */
export class RunReporter {
  #logs: LogLineInput[] = [];
  #tasks: TaskStateUpdate[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> = Promise.resolve();
  /** The state the server holds for each task run ("task#mapIndex") this reporter sent. */
  readonly #stored = new Map<string, string>();
  lastError: unknown;

  constructor(
    private readonly server: ServerClient,
    private readonly runId: number,
  ) {}

  /** Queues a log record of the run. */
  log(r: LogRecord): void {
    this.#logs.push({
      time: Math.trunc(r.time),
      level: r.level,
      name: r.name,
      message:
        r.message.length > MAX_MESSAGE ? `${r.message.slice(0, MAX_MESSAGE - 1)}…` : r.message,
      ...(r.task === undefined ? {} : { task: r.task }),
      ...(r.mapIndex === undefined ? {} : { mapIndex: r.mapIndex }),
      ...(r.worker === undefined ? {} : { worker: r.worker }),
    });
    this.#schedule();
  }

  /** Queues a task state. */
  task(update: TaskStateUpdate): void {
    this.#tasks.push(update);
    this.#schedule();
  }

  /**
   * Queues the final state of every task run of a finished run (map children one by one) whose
   * live state stored on the server differs, with the worker each one logged from (`workers`:
   * "task#mapIndex" → worker).
   */
  async finalStates(
    states: ReadonlyMap<string, TaskState>,
    workers: ReadonlyMap<string, string>,
  ): Promise<void> {
    // What the live states already stored exactly is not sent again (it keeps its real end time).
    await this.flush();
    const at = Date.now();
    const update = (
      task: string,
      mapIndex: number,
      s: TaskState | NonNullable<TaskState["children"]>[number],
    ) => {
      if (this.#stored.get(`${task}#${mapIndex}`) === s.type) return;
      const worker = workers.get(`${task}#${mapIndex}`);
      this.#tasks.push({
        task,
        mapIndex,
        state: s.type,
        at,
        ...message(s.message),
        ...(worker === undefined ? {} : { worker }),
      });
    };
    for (const [task, s] of states) {
      s.children?.forEach((c, mapIndex) => update(task, mapIndex, c));
      update(task, -1, s);
    }
    this.#schedule();
  }

  /**
   * Queues task runs' live states (an executor's `onTaskRuns` batch); the exact final states
   * follow at the end of the run (`finalStates`).
   */
  taskRuns(updates: readonly TaskRunUpdate[]): void {
    const now = Date.now();
    for (const u of updates) {
      this.#tasks.push({
        task: u.task,
        mapIndex: u.mapIndex,
        state: u.state,
        at: Math.trunc(u.endedAt ?? u.startedAt ?? now),
        ...(u.startedAt === undefined ? {} : { startedAt: Math.trunc(u.startedAt) }),
        ...(u.worker === undefined ? {} : { worker: u.worker }),
        ...message(u.message),
      });
    }
    this.#schedule();
  }

  /** Sends everything queued and waits for it. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sending = this.#sending.then(() => this.#send());
    await this.#sending;
  }

  #schedule(): void {
    if (this.#logs.length + this.#tasks.length >= MAX_BATCH) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  async #send(): Promise<void> {
    const logs = this.#logs.splice(0, 10_000);
    const tasks = this.#tasks.splice(0, 10_000);
    try {
      if (tasks.length > 0) {
        await this.server.reportTaskStates(this.runId, tasks);
        for (const t of tasks) this.#stored.set(`${t.task}#${t.mapIndex ?? -1}`, t.state);
      }
      if (logs.length > 0) await this.server.appendLogs(this.runId, logs);
    } catch (e) {
      this.lastError = e;
    }
    if (this.#logs.length + this.#tasks.length > 0) await this.#send();
  }
}

function message(m: string | undefined): { message?: string } {
  return m === undefined ? {} : { message: m.slice(0, 4000) };
}
