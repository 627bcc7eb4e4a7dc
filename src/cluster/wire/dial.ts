import type { Duplex } from "node:stream";
import { ClusterConnectError } from "../errors.ts";
import type { ClusterSecurity } from "../security.ts";
import { parseAddress } from "./address.ts";
import { Connection, type Message } from "./connection.ts";
import { connectTcp, wrapTls } from "./tcp-transport.ts";
import { connectUnix } from "./unix-transport.ts";
import { connectWs } from "./ws-transport.ts";

/**
 * Connects to a cluster address (tls://, tcp://, ws://, wss://, unix://) and returns a framed
 * Connection (receiving `In`, sending `Out`: the caller's side of the protocol). Rejects with
 * ClusterConnectError on refusal, a TLS failure, a missing socket file or after `timeoutMs`.
 * A unix:// address never uses TLS (`security` is ignored): its directory's permissions decide
 * who connects.
 */
export async function dial<
  In extends { readonly t: string } = Message,
  Out extends object = Message,
>(
  address: string,
  security: ClusterSecurity | undefined,
  timeoutMs = 30_000,
): Promise<Connection<In, Out>> {
  const a = parseAddress(address);
  if (a.scheme === "tls" && !security)
    throw new ClusterConnectError(
      address,
      "a tls:// address needs security credentials (tlsCert, tlsKey); pass { security }",
    );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
  });
  const open = async (): Promise<Duplex> => {
    if (a.scheme === "unix") return connectUnix(a.path!);
    if (a.scheme === "tls" || a.scheme === "tcp")
      return connectTcp(a.host, a.port, a.scheme === "tls" ? security : undefined);
    const tunnel = await connectWs(a.url, security);
    return security ? wrapTls(tunnel, security) : tunnel;
  };
  const opening = open();
  opening.catch(() => {});
  try {
    return new Connection<In, Out>(await Promise.race([opening, timeout]));
  } catch (e) {
    throw new ClusterConnectError(address, e instanceof Error ? e.message : String(e), {
      cause: e,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Dials the scheduler, retrying refused connections and a socket file not there yet (it may
 * still be starting) until the timeout.
 */
export async function dialWithRetry(
  address: string,
  security: ClusterSecurity | undefined,
  timeoutMs: number,
): Promise<Connection> {
  const until = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay + 5, 100)) {
    try {
      return await dial(address, security, Math.max(1000, until - Date.now()));
    } catch (e) {
      if (Date.now() + delay > until || !/ECONNREFUSED|ENOENT/.test(String((e as Error).message)))
        throw e;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
