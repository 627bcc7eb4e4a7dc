import { AddressError } from "../errors.ts";

export interface ParsedAddress {
  readonly scheme: "tls" | "tcp" | "ws" | "wss";
  readonly host: string;
  readonly port: number;
  /** The full URL for ws:// and wss:// */
  readonly url: string;
}

/** Parses tls://host:port, tcp://host:port, ws://host:port/path, wss://host:port/path. */
export function parseAddress(address: string): ParsedAddress {
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
