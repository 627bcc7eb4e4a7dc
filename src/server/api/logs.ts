import { Type, type Static } from "@sinclair/typebox";
import { Millis } from "./common.ts";

export const LogLevel = Type.Union(
  ["DEBUG", "INFO", "WARNING", "ERROR"].map((l) => Type.Literal(l)),
);

/** A log line sent by the agent (POST /api/runs/{id}/logs, batches). */
export const LogLineInput = Type.Object(
  {
    time: Millis,
    level: LogLevel,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    message: Type.String({ maxLength: 65536 }),
    task: Type.Optional(Type.String({ maxLength: 300 })),
    mapIndex: Type.Optional(Type.Integer({ minimum: -1 })),
    worker: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type LogLineInput = Static<typeof LogLineInput>;

export const AppendLogsRequest = Type.Object(
  { lines: Type.Array(LogLineInput, { minItems: 1, maxItems: 10000 }) },
  { additionalProperties: false },
);
export type AppendLogsRequest = Static<typeof AppendLogsRequest>;

/** A stored log line; `seq` orders a run's lines (GET …/logs?after=seq continues). */
export const LogLine = Type.Object({
  seq: Type.Integer(),
  time: Millis,
  level: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
  task: Type.Union([Type.String(), Type.Null()]),
  mapIndex: Type.Union([Type.Integer(), Type.Null()]),
  worker: Type.Union([Type.String(), Type.Null()]),
});
export type LogLine = Static<typeof LogLine>;

export const ListLogsQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  { additionalProperties: false },
);
export type ListLogsQuery = Static<typeof ListLogsQuery>;

/** Newest-last page of lines; `last` is the seq to pass as `after` next time. */
export const LogPage = Type.Object({ items: Type.Array(LogLine), last: Type.Integer() });
export type LogPage = Static<typeof LogPage>;
