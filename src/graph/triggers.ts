import type { TriggerName } from "./task-spec.ts";

/** Counts of upstream states a trigger decides on (a mapped upstream contributes its children). */
export interface UpstreamCounts {
  total: number;
  successful: number;
  failed: number;
  skipped: number;
}

export function emptyCounts(): UpstreamCounts {
  return { total: 0, successful: 0, failed: 0, skipped: 0 };
}

export function addCounts(into: UpstreamCounts, from: UpstreamCounts): UpstreamCounts {
  into.total += from.total;
  into.successful += from.successful;
  into.failed += from.failed;
  into.skipped += from.skipped;
  return into;
}

/** True when a task with this trigger may run; a task with no upstream always may. */
export function triggerPasses(trigger: TriggerName, c: UpstreamCounts): boolean {
  if (c.total === 0) return true;
  switch (trigger) {
    case "allSuccessful":
      return c.failed === 0 && c.successful === c.total;
    case "allFinished":
      return true;
    case "anyFailed":
      return c.failed > 0;
    case "anySuccessful":
      return c.successful > 0;
  }
}

export function describeTrigger(trigger: TriggerName, c: UpstreamCounts): string {
  return `trigger '${trigger}' was not met: ${c.successful} of ${c.total} upstream states successful, ${c.failed} failed`;
}
