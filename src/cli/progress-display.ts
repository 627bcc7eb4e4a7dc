import { type LogRecord, type TaskProgress, formatLogRecord } from "../graph/index.ts";

const BAR = 24;

function bar(p: TaskProgress): string {
  const filled = p.total === 0 ? 0 : Math.round((p.finished / p.total) * BAR);
  const failed = p.failed > 0 ? `, ${p.failed} failed` : "";
  return `${"█".repeat(filled)}${"░".repeat(BAR - filled)} ${p.finished}/${p.total || "?"}${failed}`;
}

/** The part of log-update's API the display uses (createLogUpdate's result). */
export interface LiveArea {
  (text: string): void;
  persist(text: string): void;
  done(): void;
}

/** Where the display writes: a terminal gets a live area, anything else plain lines. */
export interface DisplayOutput {
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** The live area on a terminal (log-update on the stream); absent off a terminal. */
  readonly live?: LiveArea;
}

/**
 * A run's log lines and progress on one stream (stderr). On a terminal, log lines scroll above
 * a live area of one bar per task that log-update redraws in place; the final bars stay when the
 * run ends. Off a terminal, every log line is printed as is, and a progress line per task each
 * time its counts change — never twice for the same counts, never a control character.
 */
export class ProgressDisplay {
  private latest: readonly TaskProgress[] = [];
  private readonly printed = new Map<string, string>();
  private pending: string[] = [];
  private flushQueued = false;
  private finished = false;
  private drawn = "";

  /**
   * @param showProgress false: log lines only
   * @param showLog which records to print (false: none)
   */
  constructor(
    private readonly out: DisplayOutput,
    private readonly showProgress: boolean,
    private readonly showLog: (r: LogRecord) => boolean,
  ) {}

  /** For `onLog`: prints the record above the progress area when its level is shown. */
  readonly log = (r: LogRecord): void => {
    if (!this.showLog(r)) return;
    this.line(formatLogRecord(r));
  };

  /** Prints a line of text above the progress area. */
  line(text: string): void {
    if (!this.out.live) {
      this.out.stream.write(`${text}\n`);
      return;
    }
    // Lines of one tick go out together, then the progress area is drawn again below them.
    this.pending.push(text);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  /** For `onProgress`. */
  readonly update = (progress: readonly TaskProgress[]): void => {
    if (!this.showProgress || this.finished) return;
    this.latest = progress;
    if (this.out.live) this.flush();
    else this.plain();
  };

  /** Prints what is still pending and leaves the final progress on screen. */
  finish(): void {
    if (this.finished) return;
    this.flush();
    this.finished = true;
    this.out.live?.done();
  }

  private flush(): void {
    this.flushQueued = false;
    const live = this.out.live;
    if (!live || this.finished) return;
    // One line at a time: log-update clips a persisted text to the terminal's height.
    const persisted = this.pending.length > 0;
    for (const text of this.pending) live.persist(text);
    this.pending = [];
    if (!this.showProgress || this.latest.length === 0) return;
    const frame = this.frame();
    if (persisted || frame !== this.drawn) live(frame);
    this.drawn = frame;
  }

  private frame(): string {
    const width = Math.max(4, ...this.latest.map((p) => p.name.length));
    return this.latest.map((p) => `${p.name.padEnd(width)}  ${bar(p)}`).join("\n");
  }

  private plain(): void {
    for (const p of this.latest) {
      const text = `${p.finished}/${p.total || "?"} finished${p.failed > 0 ? `, ${p.failed} failed` : ""}`;
      if (this.printed.get(p.name) === text) continue;
      this.printed.set(p.name, text);
      this.out.stream.write(`progress ${p.name}: ${text}\n`);
    }
  }
}

/**
 * The display's output on `stream`: with a live area (log-update, imported only then) when the
 * stream is a terminal.
 */
export async function displayOutput(
  stream: NodeJS.WriteStream = process.stderr,
): Promise<DisplayOutput> {
  if (!stream.isTTY) return { stream };
  const { createLogUpdate } = await import("log-update");
  return { stream, live: createLogUpdate(stream) as LiveArea };
}
