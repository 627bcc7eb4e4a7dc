import { test } from "node:test";
import assert from "node:assert/strict";
import * as client from "../../../src/gateway/client/index.ts";
import { InvalidCredentialsNameError } from "../../../src/gateway/tls/index.ts";
import { FlowgateError } from "../../../src/graph/errors.ts";

test("client errors - the set of codes is pinned, every class extends FlowgateError", () => {
  const samples: FlowgateError[] = [
    new client.GatewayUnreachableError("a", "ECONNREFUSED"),
    new client.GatewayTimeoutError("a", "w", 1),
    new client.GatewayAuthenticationError("a", 'user "u"', "t"),
    new client.GatewayPermissionError("a", 'user "u"', "w", "t"),
    new client.UnknownClusterError("a", "c", "t"),
    new client.ClusterConflictError("a", "w", "t"),
    new client.GatewayRequestRejectedError("a", "w", 422, "t"),
    new client.GatewayServerError("a", "w", 500, "t"),
    new client.GatewayProtocolError("a", "w", "p"),
    new client.ClusterFailedError("a", "c", "FAILED", null, ""),
    new client.ClusterStartTimeoutError("a", "c", 1, true),
    new client.InvalidGatewayArgumentError("m"),
    new InvalidCredentialsNameError(""),
  ];
  assert.deepEqual(
    samples.map((e) => [e.name, e.code]),
    [
      ["GatewayUnreachableError", "FG_GATEWAY_UNREACHABLE"],
      ["GatewayTimeoutError", "FG_GATEWAY_TIMEOUT"],
      ["GatewayAuthenticationError", "FG_GATEWAY_UNAUTHENTICATED"],
      ["GatewayPermissionError", "FG_GATEWAY_FORBIDDEN"],
      ["UnknownClusterError", "FG_GATEWAY_CLUSTER_NOT_FOUND"],
      ["ClusterConflictError", "FG_GATEWAY_CLUSTER_CONFLICT"],
      ["GatewayRequestRejectedError", "FG_GATEWAY_REQUEST_REJECTED"],
      ["GatewayServerError", "FG_GATEWAY_SERVER_ERROR"],
      ["GatewayProtocolError", "FG_GATEWAY_PROTOCOL"],
      ["ClusterFailedError", "FG_GATEWAY_CLUSTER_FAILED"],
      ["ClusterStartTimeoutError", "FG_GATEWAY_CLUSTER_START_TIMEOUT"],
      ["InvalidGatewayArgumentError", "FG_GATEWAY_INVALID_ARGUMENT"],
      ["InvalidCredentialsNameError", "FG_GATEWAY_TLS_INVALID_NAME"],
    ],
  );
  for (const e of samples) assert.ok(e instanceof FlowgateError);
  const exported = Object.values(client).filter(
    (v) =>
      typeof v === "function" &&
      v.prototype instanceof FlowgateError &&
      v !== client.GatewayClientError,
  );
  assert.equal(exported.length, samples.length - 1, "every exported client error is pinned here");
});
