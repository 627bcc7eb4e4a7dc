import type { GraphSpec } from "../../graph/index.ts";
import type { ClientToScheduler, SchedulerOutbound, WorkerToScheduler } from "../messages.ts";

/**
 * What happens to the scheduler, as its shell tells the pure core (SchedulerState.handle). Every
 * event carries a stimulus id, which each transition it causes is logged with (see story()).
 */
export type SchedulerEvent = { readonly stimulusId: string } & (
  | {
      readonly type: "worker-joined";
      readonly id: number;
      readonly name: string;
      readonly address: string;
      readonly slots: number;
    }
  | { readonly type: "worker-left"; readonly id: number }
  | { readonly type: "worker-message"; readonly from: number; readonly msg: WorkerToScheduler }
  | {
      readonly type: "submit";
      readonly from: number;
      readonly msg: Extract<ClientToScheduler, { t: "submit" }>;
      /** the submitted graph, decoded by the shell */
      readonly spec: GraphSpec;
    }
  | {
      readonly type: "client-message";
      readonly from: number;
      readonly msg: Extract<ClientToScheduler, { t: "cancel" }>;
    }
  | { readonly type: "client-left"; readonly id: number }
  /** time to send live clients their task-run states (every ~200 ms) */
  | { readonly type: "task-runs-due" }
  /** a retry's delay (a `retry` command) has passed */
  | {
      readonly type: "retry-due";
      readonly run: number;
      readonly node: number;
      readonly child: number;
    }
);

/** What the core asks its shell to do. */
export type SchedulerCommand =
  | {
      readonly k: "send";
      readonly to: number;
      readonly msg: SchedulerOutbound;
      readonly bulk?: readonly (Buffer | null)[];
      /** Nobody waits on it (a task's end for progress, a release): it may wait for company. */
      readonly lazy?: boolean;
    }
  /** feed a `retry-due` event back after `delay` ms */
  | {
      readonly k: "retry";
      readonly run: number;
      readonly node: number;
      readonly child: number;
      readonly delay: number;
    };
