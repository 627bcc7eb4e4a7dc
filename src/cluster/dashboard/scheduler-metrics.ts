import { stateCounts } from "../scheduler/placement.ts";
import type { SchedulerState } from "../scheduler/scheduler-state.ts";
import type { DashboardCollector } from "./dashboard-collector.ts";
import { PrometheusText } from "../../common/index.ts";

/** The scheduler's /metrics body: workers, tasks by state, durations, outcomes and bytes moved. */
export function schedulerMetrics(core: SchedulerState, c: DashboardCollector): string {
  const p = new PrometheusText();
  const workers = [...core.workers.values()];
  p.family("flowgate_scheduler_workers", "gauge", "Workers connected to the scheduler.");
  p.sample("flowgate_scheduler_workers", workers.filter((w) => !w.closing).length, {
    state: "running",
  });
  p.sample("flowgate_scheduler_workers", workers.filter((w) => w.closing).length, {
    state: "closing",
  });
  p.family(
    "flowgate_scheduler_worker_seconds_total",
    "counter",
    "Seconds workers have been connected to the scheduler, summed over workers (worker-seconds).",
  );
  const now = Date.now();
  p.sample(
    "flowgate_scheduler_worker_seconds_total",
    workers.reduce((sum, w) => sum + Math.max(0, now - w.joinedAt) / 1000, core.workerSecondsGone),
  );
  p.family("flowgate_scheduler_worker_slots", "gauge", "Task slots (threads) over all workers.");
  p.sample(
    "flowgate_scheduler_worker_slots",
    workers.reduce((a, w) => a + w.slots, 0),
  );
  p.family("flowgate_scheduler_flow_runs", "gauge", "Flow runs the scheduler is running.");
  p.sample("flowgate_scheduler_flow_runs", core.runs.size);

  p.family("flowgate_scheduler_tasks", "gauge", "Task runs of the running flow runs, by state.");
  for (const [state, n] of Object.entries(stateCounts(core.runs.values())))
    p.sample("flowgate_scheduler_tasks", n, { state });
  p.family(
    "flowgate_scheduler_tasks_queued",
    "gauge",
    "Task runs waiting on the scheduler for a worker.",
  );
  p.sample("flowgate_scheduler_tasks_queued", core.queue.size);
  p.family(
    "flowgate_scheduler_tasks_processing",
    "gauge",
    "Task runs handed to workers and not yet done.",
  );
  p.sample("flowgate_scheduler_tasks_processing", core.processing);
  p.family(
    "flowgate_scheduler_tasks_finished_total",
    "counter",
    "Task runs finished on workers, by outcome.",
  );
  for (const [outcome, n] of Object.entries(c.outcomes))
    p.sample("flowgate_scheduler_tasks_finished_total", n, { outcome });

  p.family(
    "flowgate_scheduler_task_duration_seconds",
    "histogram",
    "Time task runs took on workers.",
  );
  for (const [le, n] of c.durations.cumulative())
    p.sample("flowgate_scheduler_task_duration_seconds_bucket", n, { le });
  p.sample("flowgate_scheduler_task_duration_seconds_sum", c.durations.sum);
  p.sample("flowgate_scheduler_task_duration_seconds_count", c.durations.count);

  p.family(
    "flowgate_scheduler_transfer_bytes_total",
    "counter",
    "Bytes of results moved between workers.",
  );
  p.sample("flowgate_scheduler_transfer_bytes_total", c.bytesMoved);
  p.family(
    "flowgate_scheduler_transfers_total",
    "counter",
    "Fetches of results from one worker by another.",
  );
  p.sample("flowgate_scheduler_transfers_total", c.transfers);

  p.family("flowgate_worker_memory_bytes", "gauge", "Resident memory of each worker process.");
  for (const w of workers)
    p.sample("flowgate_worker_memory_bytes", c.workerStats.get(w.id)?.rss ?? 0, { worker: w.name });
  p.family("flowgate_worker_stored_bytes", "gauge", "Bytes of task results each worker holds.");
  for (const w of workers)
    p.sample("flowgate_worker_stored_bytes", c.workerStats.get(w.id)?.stored ?? 0, {
      worker: w.name,
    });
  p.family("flowgate_worker_cpu_ratio", "gauge", "CPU use of each worker process, in cores.");
  for (const w of workers)
    p.sample("flowgate_worker_cpu_ratio", c.workerStats.get(w.id)?.cpu ?? 0, { worker: w.name });
  p.family("flowgate_worker_tasks_processing", "gauge", "Task runs assigned to each worker.");
  for (const w of workers)
    p.sample("flowgate_worker_tasks_processing", w.assigned, { worker: w.name });
  p.family("flowgate_worker_tasks_executed_total", "counter", "Task runs each worker finished.");
  for (const w of workers)
    p.sample("flowgate_worker_tasks_executed_total", w.executed, { worker: w.name });
  return p.toString();
}
