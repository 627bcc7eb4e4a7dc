// examples/times-two.ts through a real gateway (in-process startGateway) with
// `backend: "kubernetes"` against the fake API server, which runs the real scheduler and
// workers as pod processes. Skipped with a message until the gateway offers the backend.
import { test } from "node:test";
import { resolveGatewayConfig, startGateway } from "../../../src/gateway/server/index.ts";
import type { GatewayConfig } from "../../../src/gateway/server/index.ts";
import { timesTwoOnFakeKubernetes } from "./kube-e2e.ts";

function offered(): string | false {
  try {
    resolveGatewayConfig({ backend: "kubernetes", kubernetes: {} } as unknown as GatewayConfig);
    return false;
  } catch (e) {
    return `the gateway does not offer backend "kubernetes" yet (${(e as Error).message})`;
  }
}

test(
  "kubernetes e2e - times-two gives 90 on a gateway cluster of pods (fake API server), and nothing remains",
  { skip: offered(), timeout: 180_000 },
  () => timesTwoOnFakeKubernetes((c) => startGateway(c)),
);
