import {
  GatewayEnvironment,
  LocalEnvironment,
  RemoteEnvironment,
  SecretAuth,
} from "../../environments/index.ts";
import type { FlowEnvironment, Flow } from "../../flow/index.ts";
import type { EnvironmentSpec, FlowGraph } from "../../server/api/index.ts";
import { jsonSafe } from "../run-outcome.ts";

/** The flow's static graph as the server stores it: task calls, their upstream tasks, parameters. */
export function graphOf(flow: Flow<unknown>): FlowGraph {
  const { spec, parameters } = flow.graph;
  const paramNodes = new Set(parameters.map((p) => p.node));
  const nodes = spec.nodes;
  const tasks = nodes.flatMap((n, i) => {
    if (n.constant && !paramNodes.has(i)) return [];
    const upstream = new Set<number>(n.upstream);
    for (const a of n.args) if (a.kind === "ref") upstream.add(a.node);
    return [
      {
        name: n.id,
        task: n.key,
        mapped: n.mapped,
        upstream: [...upstream]
          .filter((u) => !nodes[u]!.constant || paramNodes.has(u))
          .map((u) => nodes[u]!.id),
      },
    ];
  });
  return {
    tasks,
    parameters: parameters.map((p) => ({
      name: p.name,
      required: p.required,
      ...(p.hasDefault ? { default: jsonSafe(p.default) } : {}),
    })),
  };
}

/**
 * The environment's options as the server stores them: plain values only. Callbacks stay in the
 * flow's code, which the agent loads. Credentials are never sent: a `SecretAuth` is stored as its
 * secret's NAME (`secrets: { "auth.token": "GATEWAY_TOKEN" }`, plus `authUser` for basic auth),
 * which the agent resolves from its own secret source; other credentials stay in the code.
 */
export function environmentOf(environment: FlowEnvironment | undefined): EnvironmentSpec | null {
  if (environment === undefined) return null;
  if (environment instanceof GatewayEnvironment) {
    const o = environment.options;
    const options: Record<string, unknown> = {
      gatewayAddress: o.gatewayAddress,
      adaptiveMinWorkers: o.adaptiveMinWorkers,
      adaptiveMaxWorkers: o.adaptiveMaxWorkers,
      workers: o.workers,
      image: o.image,
      clusterOptions: o.clusterOptions,
      labels: o.labels,
      keepClusterOnError: o.keepClusterOnError,
      leaseTtl: o.leaseTtl,
    };
    const secret = o.auth instanceof SecretAuth ? o.auth : undefined;
    if (secret?.user !== undefined) options["authUser"] = secret.user;
    return {
      type: "gateway",
      options: jsonSafe(
        Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
      ) as Record<string, unknown>,
      ...(secret ? { secrets: { [secret.option]: secret.secret } } : {}),
    };
  }
  if (environment instanceof RemoteEnvironment)
    return { type: "remote", options: { description: environment.description } };
  if (environment instanceof LocalEnvironment)
    return { type: "local", options: { description: environment.description } };
  return { type: "local", options: { description: environment.description } };
}

/** Labels the environment asks for (a GatewayEnvironment's `labels`). */
export function environmentLabels(environment: FlowEnvironment | undefined): string[] {
  return environment instanceof GatewayEnvironment ? [...(environment.options.labels ?? [])] : [];
}
