import { Type, type Static } from "@sinclair/typebox";
import { Millis, PageQuery } from "./common.ts";
import { TaskState } from "./run-state.ts";

/** One task run's new state; POST /api/runs/{id}/task-states takes a batch of them. */
export const TaskStateUpdate = Type.Object(
  {
    task: Type.String({ minLength: 1, maxLength: 300 }),
    /** -1 (or absent) for an unmapped task */
    mapIndex: Type.Optional(Type.Integer({ minimum: -1 })),
    state: TaskState,
    at: Type.Optional(Millis),
    /** when the task run started (default: `at` for a Running update, else unchanged) */
    startedAt: Type.Optional(Millis),
    worker: Type.Optional(Type.String({ maxLength: 300 })),
    message: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);
export type TaskStateUpdate = Static<typeof TaskStateUpdate>;

export const TaskStatesRequest = Type.Object(
  { updates: Type.Array(TaskStateUpdate, { minItems: 1, maxItems: 100000 }) },
  { additionalProperties: false },
);
export type TaskStatesRequest = Static<typeof TaskStatesRequest>;

/** A task run (GET /api/runs/{id}/tasks). */
export const TaskRun = Type.Object({
  task: Type.String(),
  mapIndex: Type.Integer(),
  state: Type.String(),
  worker: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.Union([Millis, Type.Null()]),
  endedAt: Type.Union([Millis, Type.Null()]),
  updatedAt: Millis,
});
export type TaskRun = Static<typeof TaskRun>;

export const ListTasksQuery = Type.Object(
  {
    task: Type.Optional(Type.String({ maxLength: 300 })),
    /** task states, comma-separated (422 for one that is not a task state) */
    state: Type.Optional(Type.String({ maxLength: 200 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListTasksQuery = Static<typeof ListTasksQuery>;

/** GET /api/runs/{id}/tasks/summary: counts per task name and state (cheap for 100,000 maps). */
export const TaskSummary = Type.Object({
  total: Type.Integer(),
  tasks: Type.Array(
    Type.Object({
      task: Type.String(),
      total: Type.Integer(),
      states: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
});
export type TaskSummary = Static<typeof TaskSummary>;

/** GET /api/runs/{id}/tasks/timeline?samples=N: at most N task runs, evenly sampled by start. */
export const TimelineQuery = Type.Object(
  { samples: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) },
  { additionalProperties: false },
);
export const Timeline = Type.Object({
  total: Type.Integer(),
  items: Type.Array(
    Type.Object({
      task: Type.String(),
      mapIndex: Type.Integer(),
      state: Type.String(),
      worker: Type.Union([Type.String(), Type.Null()]),
      startedAt: Millis,
      endedAt: Type.Union([Millis, Type.Null()]),
    }),
  ),
});
export type Timeline = Static<typeof Timeline>;
