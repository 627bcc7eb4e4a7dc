import { Type, type Static } from "@sinclair/typebox";
import { Id, Json, Labels, Millis, Name, PageQuery } from "./common.ts";
import { ScheduleInput } from "./schedules.ts";

/** sha256 of a bundle's bytes, lower-case hex: the bundle's name in the store. */
export const BundleHash = Type.String({ pattern: "^[0-9a-f]{64}$" });

/**
 * Where the flow's code lives. `bundle`: the esbuild module the cluster ships, uploaded first with
 * `PUT /api/bundles/{hash}` (content-addressed; the server keeps it). `image`: a container image
 * holding the flow file at `path`, for container backends.
 */
export const FlowStorage = Type.Union([
  Type.Object({
    type: Type.Literal("bundle"),
    hash: BundleHash,
    flowName: Type.String({ minLength: 1, maxLength: 200 }),
  }),
  Type.Object({
    type: Type.Literal("image"),
    image: Type.String({ minLength: 1, maxLength: 500 }),
    path: Type.String({ minLength: 1, maxLength: 1000 }),
    flowName: Type.String({ minLength: 1, maxLength: 200 }),
  }),
]);
export type FlowStorage = Static<typeof FlowStorage>;

/** A parameter of the flow, with its default (absent when required). */
export const ParameterInfo = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  required: Type.Boolean(),
  default: Type.Optional(Json),
});
export type ParameterInfo = Static<typeof ParameterInfo>;

/** The flow's static graph: one entry per task call, with the names of its upstream tasks. */
export const FlowGraph = Type.Object({
  tasks: Type.Array(
    Type.Object({
      name: Type.String({ minLength: 1, maxLength: 300 }),
      /** the task definition's name (several calls of one task have distinct run names) */
      task: Type.String({ minLength: 1, maxLength: 300 }),
      mapped: Type.Boolean(),
      upstream: Type.Array(Type.String({ maxLength: 300 }), { maxItems: 10000 }),
    }),
    { maxItems: 100000 },
  ),
  parameters: Type.Array(ParameterInfo, { maxItems: 1000 }),
});
export type FlowGraph = Static<typeof FlowGraph>;

/**
 * How an agent runs the flow. `options` are the environment's plain options (never credentials:
 * the server rejects keys like password/token/key); `secrets` maps an option to the NAME of a
 * secret the agent resolves (its environment variable or secret store) at run time.
 */
export const EnvironmentSpec = Type.Object({
  type: Type.Union([Type.Literal("gateway"), Type.Literal("local"), Type.Literal("remote")]),
  options: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Json)),
  secrets: Type.Optional(
    Type.Record(
      Type.String({ maxLength: 200 }),
      Type.String({ minLength: 1, maxLength: 200, pattern: "^[A-Za-z_][A-Za-z0-9_.-]*$" }),
    ),
  ),
});
export type EnvironmentSpec = Static<typeof EnvironmentSpec>;

/** POST /api/flows: register (upsert) a flow. A new version only when the bundle hash changes. */
export const RegisterFlowRequest = Type.Object(
  {
    name: Name,
    project: Type.Optional(Name),
    labels: Type.Optional(Labels),
    storage: FlowStorage,
    graph: FlowGraph,
    environment: Type.Optional(Type.Union([EnvironmentSpec, Type.Null()])),
    /** replaces the flow's schedule when given */
    schedule: Type.Optional(ScheduleInput),
  },
  { additionalProperties: false },
);
export type RegisterFlowRequest = Static<typeof RegisterFlowRequest>;

/** One registered version of a flow. */
export const FlowVersion = Type.Object({
  flowId: Id,
  version: Type.Integer({ minimum: 1 }),
  /** the bundle hash for `bundle` storage; sha256 of image+path for `image` */
  hash: Type.String(),
  storage: FlowStorage,
  graph: FlowGraph,
  environment: Type.Union([EnvironmentSpec, Type.Null()]),
  labels: Labels,
  createdAt: Millis,
});
export type FlowVersion = Static<typeof FlowVersion>;

/** A flow (project + name), owned by the user that registered it first. */
export const Flow = Type.Object({
  id: Id,
  project: Type.String(),
  name: Type.String(),
  user: Type.String(),
  latestVersion: Type.Integer({ minimum: 1 }),
  labels: Labels,
  createdAt: Millis,
  updatedAt: Millis,
});
export type Flow = Static<typeof Flow>;

/** 201 (new flow or version) / 200 (unchanged bundle: same version) of POST /api/flows. */
export const RegisterFlowResponse = Type.Object({
  flow: Flow,
  version: FlowVersion,
  created: Type.Boolean(),
});
export type RegisterFlowResponse = Static<typeof RegisterFlowResponse>;

/** GET /api/flows query. */
export const ListFlowsQuery = Type.Object(
  {
    project: Type.Optional(Type.String({ maxLength: 200 })),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListFlowsQuery = Static<typeof ListFlowsQuery>;

/** PUT /api/bundles/{hash} (body: the module's bytes, application/octet-stream) → 201 | 200. */
export const BundleStored = Type.Object({
  hash: BundleHash,
  size: Type.Integer(),
  created: Type.Boolean(),
});
export type BundleStored = Static<typeof BundleStored>;
