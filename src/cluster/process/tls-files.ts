import { readFileSync } from "node:fs";
import type { ClusterSecurity } from "../security.ts";

export interface TlsFiles {
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
}

/** Reads --tls-cert/--tls-key/--tls-ca files; undefined when none given. */
export function readSecurity(f: TlsFiles): ClusterSecurity | undefined {
  if (!f.tlsCert && !f.tlsKey) return undefined;
  if (!f.tlsCert || !f.tlsKey)
    throw new Error("give both --tls-cert and --tls-key (PEM files), or neither");
  const cert = readPem("--tls-cert", f.tlsCert);
  return {
    tlsCert: cert,
    tlsKey: readPem("--tls-key", f.tlsKey),
    tlsCa: f.tlsCa ? readPem("--tls-ca", f.tlsCa) : cert,
  };
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(
      `cannot read the ${flag} file '${path}' (${(e as NodeJS.ErrnoException).code})`,
    );
  }
}
