import type { LimitScope } from "../api/index.ts";

/** A concurrency limit as stored. */
export interface LimitRow {
  scope: LimitScope;
  key: string;
  lim: number;
}

/** How many runs hold a slot, per flow id (as text) and per label. */
export class SlotCounts {
  readonly flow = new Map<string, number>();
  readonly label = new Map<string, number>();

  /** Counts from the runs that hold a slot now. */
  static of(holders: readonly { flow_id: number; labels: string }[]): SlotCounts {
    const c = new SlotCounts();
    for (const h of holders) c.take(h.flow_id, JSON.parse(h.labels) as string[]);
    return c;
  }

  take(flowId: number, labels: readonly string[]): void {
    this.flow.set(String(flowId), (this.flow.get(String(flowId)) ?? 0) + 1);
    for (const l of labels) this.label.set(l, (this.label.get(l) ?? 0) + 1);
  }
}

/**
 * Why a run may not start now: the first limit (flow, then its labels) whose slots are all held,
 * as the Queued reason users read; null when it may start.
 */
export function blockedBy(
  flowId: number,
  flowName: string,
  labels: readonly string[],
  limits: readonly LimitRow[],
  counts: SlotCounts,
): string | null {
  for (const l of limits) {
    if (l.scope === "flow" && l.key === String(flowId)) {
      const held = counts.flow.get(l.key) ?? 0;
      if (held >= l.lim)
        return `concurrency limit of flow ${flowName} (id ${flowId}): ${held} of ${l.lim} runs active`;
    }
  }
  for (const l of limits) {
    if (l.scope === "label" && labels.includes(l.key)) {
      const held = counts.label.get(l.key) ?? 0;
      if (held >= l.lim)
        return `concurrency limit of label ${JSON.stringify(l.key)}: ${held} of ${l.lim} runs active`;
    }
  }
  return null;
}

/** Whether every label the run needs is among the agent's. */
export function labelsCover(agentLabels: readonly string[], runLabels: readonly string[]): boolean {
  return runLabels.every((l) => agentLabels.includes(l));
}
