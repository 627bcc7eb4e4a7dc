import type { TaskProgress } from "../graph/progress.ts";

const BAR = 24;

function bar(p: TaskProgress): string {
  const filled = p.total === 0 ? 0 : Math.round((p.finished / p.total) * BAR);
  const failed = p.failed > 0 ? `, ${p.failed} failed` : "";
  return `${"█".repeat(filled)}${"░".repeat(BAR - filled)} ${p.finished}/${p.total || "?"}${failed}`;
}

/**
 * Shows a run's progress on stderr: a bar per task name redrawn in place on a terminal, or a
 * plain line per task every few seconds (and at the end) when stderr is not a terminal.
 */
export class ProgressDisplay {
  private drawnLines = 0;
  private lastPlain = 0;
  private latest: readonly TaskProgress[] = [];

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 2000,
  ) {}

  readonly update = (progress: readonly TaskProgress[]): void => {
    this.latest = progress;
    if (this.out.isTTY) return this.redraw();
    const now = Date.now();
    if (now - this.lastPlain < this.plainEveryMs) return;
    this.lastPlain = now;
    this.plain();
  };

  /** Draws the final state once more (plain output always prints it). */
  finish(): void {
    if (this.out.isTTY) this.redraw();
    else this.plain();
    this.drawnLines = 0;
  }

  private plain(): void {
    for (const p of this.latest)
      this.out.write(
        `progress ${p.name}: ${p.finished}/${p.total || "?"} finished${p.failed ? `, ${p.failed} failed` : ""}\n`,
      );
  }

  private redraw(): void {
    const width = Math.max(4, ...this.latest.map((p) => p.name.length));
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : "";
    const lines = this.latest.map((p) => `\x1b[2K${p.name.padEnd(width)}  ${bar(p)}`);
    this.out.write(`${up}${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }
}
