import type { Duplex } from "node:stream";
import type { ClusterSecurity } from "../security.ts";

/**
 * Opens a WebSocket tunnel (binary messages carry the raw byte stream) and resolves with it as
 * a Duplex; the caller runs TLS inside it. Extra headers go on the upgrade request. `ws` is
 * imported on first use so that processes that never tunnel do not pay for loading it.
 */
export async function connectWs(
  url: string,
  security: ClusterSecurity | undefined,
): Promise<Duplex> {
  const { default: WebSocket, createWebSocketStream } = await import("ws");
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { ...(security?.headers ?? {}) },
      perMessageDeflate: false,
    });
    ws.once("open", () => resolve(createWebSocketStream(ws)));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) =>
      reject(new Error(`the WebSocket upgrade was refused with HTTP ${res.statusCode}`)),
    );
  });
}
