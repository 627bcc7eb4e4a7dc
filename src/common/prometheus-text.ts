/**
 * A minimal writer of Prometheus' text exposition format (version 0.0.4): HELP and TYPE lines,
 * then samples, label values escaped. Enough for the few metrics flowgate exports, without a
 * dependency. Shared by the scheduler's and the gateway's /metrics.
 */
export class PrometheusText {
  private readonly lines: string[] = [];

  /** Starts a metric family. */
  family(name: string, type: "gauge" | "counter" | "histogram", help: string): this {
    this.lines.push(
      `# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`,
      `# TYPE ${name} ${type}`,
    );
    return this;
  }

  sample(name: string, value: number, labels: Record<string, string> = {}): this {
    const l = Object.entries(labels)
      .map(
        ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`,
      )
      .join(",");
    this.lines.push(`${name}${l ? `{${l}}` : ""} ${Number.isFinite(value) ? value : 0}`);
    return this;
  }

  toString(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

/** The Content-Type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
