import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as server from "../../../src/gateway/server/index.ts";
import { FlowgateError } from "../../../src/graph/errors.ts";

describe("gateway server errors - a pinned contract", () => {
  it("every error class has a stable FG_GATEWAY_ code and HTTP status", () => {
    const made = [
      new server.AuthRequiredError(),
      new server.ForbiddenError("c", "u"),
      new server.ClusterNotFoundError("c"),
      new server.ClusterNotRunningError("c", "PENDING"),
      new server.SchedulerUnreachableError("c"),
      new server.InvalidRequestError("m"),
      new server.InvalidOptionError("f", "m"),
      new server.QuotaExceededError("u", "m"),
      new server.BodyTooLargeError(1),
      new server.GatewayConfigError("m"),
      new server.BackendStartError("m"),
    ];
    assert.deepEqual(
      made.map((e) => [e.name, e.code, e.status]),
      [
        ["AuthRequiredError", "FG_GATEWAY_AUTH_REQUIRED", 401],
        ["ForbiddenError", "FG_GATEWAY_FORBIDDEN", 403],
        ["ClusterNotFoundError", "FG_GATEWAY_CLUSTER_NOT_FOUND", 404],
        ["ClusterNotRunningError", "FG_GATEWAY_CLUSTER_NOT_RUNNING", 409],
        ["SchedulerUnreachableError", "FG_GATEWAY_SCHEDULER_UNREACHABLE", 409],
        ["InvalidRequestError", "FG_GATEWAY_INVALID_REQUEST", 422],
        ["InvalidOptionError", "FG_GATEWAY_INVALID_OPTION", 422],
        ["QuotaExceededError", "FG_GATEWAY_QUOTA_EXCEEDED", 409],
        ["BodyTooLargeError", "FG_GATEWAY_BODY_TOO_LARGE", 413],
        ["GatewayConfigError", "FG_GATEWAY_CONFIG", 500],
        ["BackendStartError", "FG_GATEWAY_BACKEND_START", 500],
      ],
    );
    for (const e of made) assert.ok(e instanceof FlowgateError && e instanceof server.GatewayError);
  });

  it("a file db without an encryption key is refused with the remedy", () => {
    const saved = process.env.FLOWGATE_GATEWAY_ENCRYPT_KEY;
    delete process.env.FLOWGATE_GATEWAY_ENCRYPT_KEY;
    try {
      assert.throws(
        () => server.resolveGatewayConfig({ db: "/tmp/x.db" }),
        /set encryptKey in the config or FLOWGATE_GATEWAY_ENCRYPT_KEY/,
      );
    } finally {
      if (saved !== undefined) process.env.FLOWGATE_GATEWAY_ENCRYPT_KEY = saved;
    }
  });
});
