import { ParameterError } from "./errors.ts";
import type { BuiltGraph } from "./flow-builder.ts";

/**
 * A run's parameter values with defaults filled in. Unknown names and missing required
 * parameters are ParameterErrors that list what the flow accepts.
 */
export function resolveParameters(
  flowName: string,
  graph: BuiltGraph,
  given: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  if (typeof given !== "object" || given === null || Array.isArray(given))
    throw new ParameterError(`parameters of flow '${flowName}' must be an object of name → value`);
  const known = graph.parameters.map((p) => p.name);
  const valid = known.length > 0 ? `valid parameters: ${known.join(", ")}` : "it has no parameters";
  const unknown = Object.keys(given).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new ParameterError(
      `flow '${flowName}' got unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `'${u}'`).join(", ")}; ${valid}`,
    );
  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const p of graph.parameters) {
    if (p.name in given) values[p.name] = given[p.name];
    else if (p.hasDefault && !p.required) values[p.name] = p.default;
    else if (p.required) missing.push(p.name);
    else values[p.name] = undefined;
  }
  if (missing.length > 0)
    throw new ParameterError(
      `flow '${flowName}' is missing required parameter${missing.length > 1 ? "s" : ""} ${missing.map((m) => `'${m}'`).join(", ")}; pass it with parameters: { ${missing[0]}: … }`,
    );
  return values;
}
