import { GatewayError } from "../../errors.ts";

/**
 * Thrown when the container engine (Docker, or podman's compatible service) answers an API
 * call with an error, or cannot be reached; the message carries the engine's own text.
 */
export class ContainerEngineError extends GatewayError {
  constructor(
    readonly operation: string,
    /** HTTP status of the engine's answer; 0 when the socket could not be reached. */
    readonly engineStatus: number,
    readonly engineMessage: string,
    options?: ErrorOptions,
  ) {
    super(
      "FG_GATEWAY_CONTAINER_ENGINE",
      500,
      `container engine: ${operation} failed${engineStatus ? ` (HTTP ${engineStatus})` : ""}: ${engineMessage}`,
      options,
    );
  }
}
