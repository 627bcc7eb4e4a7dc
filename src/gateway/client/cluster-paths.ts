import { InvalidGatewayArgumentError } from "./errors.ts";

/** `/api/v1/clusters/<name>` plus `suffix`; throws InvalidGatewayArgumentError for an empty name. */
export function clusterPath(name: string, suffix = ""): string {
  if (typeof name !== "string" || name === "")
    throw new InvalidGatewayArgumentError(
      `cluster name ${JSON.stringify(name)} is empty or not a string; pass a name from \`flowgate clusters list\``,
    );
  return `/api/v1/clusters/${encodeURIComponent(name)}${suffix}`;
}

/**
 * The query that asks a flowgate gateway for its extended cluster model (owner, stop reason,
 * worker counts, tunnel path, lease); a plain Dask Gateway ignores it.
 */
export const EXTENDED: Readonly<Record<string, string>> = { extended: "true" };
