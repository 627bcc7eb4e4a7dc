import { AddressError } from "../errors.ts";

export interface ParsedAddress {
  readonly scheme: "tls" | "tcp" | "ws" | "wss" | "unix";
  /** "" for unix:// */
  readonly host: string;
  /** NaN for unix:// */
  readonly port: number;
  /** The full URL for ws:// and wss:// */
  readonly url: string;
  /** The socket file of a unix:// address (absolute). */
  readonly path?: string;
}

/**
 * Longest socket path the kernel takes: sun_path holds 108 bytes on Linux, one of them the
 * terminating NUL.
 */
export const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Parses tls://host:port, tcp://host:port, ws://host:port/path, wss://host:port/path and
 * unix:///absolute/path.sock (three slashes: an empty host, then the absolute path).
 */
export function parseAddress(address: string): ParsedAddress {
  if (/^unix:/i.test(address)) return parseUnix(address);
  let u: URL;
  try {
    u = new URL(address);
  } catch {
    throw new AddressError(address);
  }
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== "tls" && scheme !== "tcp" && scheme !== "ws" && scheme !== "wss")
    throw new AddressError(address);
  const defaultPort = scheme === "ws" ? 80 : scheme === "wss" ? 443 : NaN;
  const port = u.port ? Number(u.port) : defaultPort;
  if (!Number.isInteger(port)) throw new AddressError(address);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return { scheme, host, port, url: address };
}

function parseUnix(address: string): ParsedAddress {
  // Not through URL: it would take `unix://run/x.sock` as host "run", and decode or reject
  // characters that are fine in a file name.
  const rest = address.slice("unix:".length);
  if (!rest.startsWith("///"))
    throw new AddressError(
      address,
      `the socket path must be absolute, written with three slashes: unix:///${rest.replace(/^\/*/, "")} for /${rest.replace(/^\/*/, "")}`,
    );
  const path = rest.slice(2);
  checkSocketPath(path, address);
  return { scheme: "unix", host: "", port: NaN, url: address, path };
}

/**
 * Throws AddressError unless `path` can be a Unix socket's path: absolute, no NUL, and short
 * enough for sun_path. `address` is what the user wrote (the path itself for a --socket flag).
 */
export function checkSocketPath(path: string, address = path): void {
  if (!path.startsWith("/") || path === "/" || path.endsWith("/"))
    throw new AddressError(
      address,
      `'${path}' is not an absolute path to a socket file, e.g. /run/flowgate/scheduler.sock`,
    );
  if (path.includes("\0")) throw new AddressError(address, "the socket path contains a NUL byte");
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES)
    throw new AddressError(
      address,
      `the socket path is ${bytes} bytes long, more than the ${MAX_SOCKET_PATH_BYTES} a Unix socket's sun_path holds; use a shorter directory (e.g. under /tmp or $XDG_RUNTIME_DIR)`,
    );
}

/** The unix:// address of a socket file. */
export function unixAddress(path: string): string {
  return `unix://${path}`;
}
