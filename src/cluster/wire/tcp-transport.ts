import net from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import type { ClusterSecurity } from "../security.ts";
import { ReadSteering } from "./read-steering.ts";

/** TLS options for one side of a mutual-TLS connection; host names are not checked (CONTRACTS.md). */
export function tlsOptions(security: ClusterSecurity) {
  return {
    cert: security.tlsCert,
    key: security.tlsKey,
    ca: security.tlsCa ?? security.tlsCert,
    rejectUnauthorized: true,
    checkServerIdentity: () => undefined,
  };
}

/**
 * Opens a TCP connection, wrapped in TLS when security is given. Resolves once usable. Its reads
 * are steered (read-steering.ts): it emits no `data` events; a Connection made over it takes its
 * bytes, reading large values in place.
 */
export function connectTcp(
  host: string,
  port: number,
  security: ClusterSecurity | undefined,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const steering = new ReadSteering();
    const { onread } = steering;
    if (security) {
      // tls.connect takes `onread` (Node's docs) though its type does not list it.
      const options: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
        host,
        port,
        onread,
        ...tlsOptions(security),
      };
      const s = tls.connect(options, () => {
        s.setNoDelay(true);
        resolve(s);
      });
      steering.bind(s);
      s.once("error", reject);
    } else {
      const s = net.connect({ host, port, onread }, () => {
        s.setNoDelay(true);
        resolve(s);
      });
      steering.bind(s);
      s.once("error", reject);
    }
  });
}

/** Runs TLS over an existing byte stream (a WebSocket tunnel). */
export function wrapTls(socket: Duplex, security: ClusterSecurity): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ socket, ...tlsOptions(security) }, () => resolve(s));
    s.once("error", reject);
  });
}

/** A listening TCP or mutual-TLS server handing each accepted connection to onConnection. */
export function listenTcp(
  host: string,
  port: number,
  security: ClusterSecurity | undefined,
  onConnection: (stream: Duplex) => void,
): Promise<net.Server> {
  const server = security
    ? tls.createServer({ ...tlsOptions(security), requestCert: true }, (s) => {
        s.setNoDelay(true);
        onConnection(s);
      })
    : net.createServer((s) => {
        s.setNoDelay(true);
        onConnection(s);
      });
  server.on("tlsClientError", () => {});
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
