import { createHash } from "node:crypto";
import { bundleFlow } from "../code-shipping.ts";
import type { FlowRegisterOptions, FlowRegistration, Flow } from "../../flow/index.ts";
import { authFromEnv } from "../../gateway/client/index.ts";
import type { FlowStorage } from "../../server/api/index.ts";
import { ServerClient } from "../../server/client/index.ts";
import { RegistrationError } from "../errors.ts";
import { environmentLabels, environmentOf, graphOf } from "./flow-manifest.ts";

export type Registration = FlowRegistration;

/**
 * Registers `flow` with a flowgate server: uploads its content-hashed bundle (the module the
 * cluster ships; skipped when the server has it) unless `storage` is an Image, then stores its
 * graph, environment options, labels and schedule. The server makes a new version only when the
 * hash changed, so registering again in CI is cheap and idempotent. Throws RegistrationError for
 * a flow without a source file, BundleBuildError for one that does not compile, and the server
 * client's errors.
 */
export async function registerFlow(
  flow: Flow<unknown>,
  options: FlowRegisterOptions,
  client = new ServerClient({ address: options.server, auth: options.auth ?? authFromEnv() }),
): Promise<FlowRegistration> {
  const storage = await storeCode(flow, options, client);
  const environment = flow.options.environment;
  const labels = [...new Set([...(options.labels ?? []), ...environmentLabels(environment)])];
  const r = await client.registerFlow({
    name: flow.name,
    ...(options.project ? { project: options.project } : {}),
    labels,
    storage,
    graph: graphOf(flow),
    environment: environmentOf(environment),
    ...(options.schedule
      ? {
          schedule: {
            clocks: options.schedule.clocks.map((c) => ({ ...c })) as never,
            ...(options.schedule.active === undefined ? {} : { active: options.schedule.active }),
          },
        }
      : {}),
  });
  return {
    flowId: r.flow.id,
    version: r.version.version,
    created: r.created,
    hash: r.version.hash,
  };
}

async function storeCode(
  flow: Flow<unknown>,
  options: FlowRegisterOptions,
  client: ServerClient,
): Promise<FlowStorage> {
  if (options.storage?.type === "image")
    return {
      type: "image",
      image: options.storage.image,
      path: options.storage.path,
      flowName: flow.name,
    };
  if (flow.sourceFile === undefined)
    throw new RegistrationError(
      `flow '${flow.name}' has no source file to bundle; construct it in a module file, or register it with storage: Image(image, path)`,
    );
  const bundle = await bundleFlow(flow.sourceFile);
  const hash = createHash("sha256").update(bundle.code).digest("hex");
  if (!(await client.hasBundle(hash))) await client.putBundle(hash, bundle.code);
  return { type: "bundle", hash, flowName: flow.name };
}
