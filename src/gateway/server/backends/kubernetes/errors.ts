import { GatewayError } from "../../errors.ts";

/** What an API call failed on, for messages: "create pod flowgate-x-scheduler in namespace default". */
export interface KubernetesCall {
  verb: string;
  kind: string;
  name: string;
  namespace: string;
}

function detail(e: unknown): string {
  const err = e as { code?: number; body?: unknown; message?: string };
  let body = err.body as { message?: string; reason?: string } | string | undefined;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body) as { message?: string };
    } catch {
      /* plain text */
    }
  }
  const msg =
    typeof body === "object" && body?.message
      ? body.message
      : typeof body === "string" && body
        ? body
        : (err.message ?? String(e)).split("\n")[0];
  return err.code ? `HTTP ${err.code}: ${msg}` : String(msg);
}

/**
 * Thrown by the kubernetes backend when the API server refuses or fails a call. Names the
 * call, the object and the namespace, and quotes the server's message.
 */
export class KubernetesApiError extends GatewayError {
  readonly verb: string;
  readonly objectName: string;
  readonly namespace: string;
  constructor(call: KubernetesCall, cause: unknown) {
    super(
      "FG_GATEWAY_KUBERNETES_API",
      502,
      `Kubernetes API call failed: ${call.verb} ${call.kind} ${call.name} in namespace ${call.namespace}: ${detail(cause)}; check the kubeconfig's permissions and the API server`,
      { cause },
    );
    this.verb = call.verb;
    this.objectName = call.name;
    this.namespace = call.namespace;
  }
}

/** HTTP status of a client-node ApiException, if it is one. */
export const statusOf = (e: unknown): number | undefined => {
  const code = (e as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
};

/** Thrown by a stop when the cluster's pods are still there after the grace period and a margin; the reconciler retries. */
export class PodsRemainError extends GatewayError {
  constructor(
    readonly clusterName: string,
    readonly namespace: string,
    pods: string[],
  ) {
    super(
      "FG_GATEWAY_KUBERNETES_PODS_REMAIN",
      500,
      `Pods of cluster ${clusterName} in namespace ${namespace} are still terminating: ${pods.join(", ")}; the gateway retries, or delete them with kubectl`,
    );
  }
}
