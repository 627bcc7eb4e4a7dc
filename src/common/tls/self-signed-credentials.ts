import { webcrypto } from "node:crypto";
import { isIP } from "node:net";
import type { Extension } from "@peculiar/x509";

/**
 * Per-cluster TLS credentials (CONTRACTS.md, TLS): one certificate that is also the cluster's CA,
 * and its key. Structurally a ClusterSecurity (src/cluster/security.ts).
 */
export interface SelfSignedCredentials {
  /** PEM "CERTIFICATE": self-signed, CA:true, serverAuth + clientAuth, EC P-256. */
  readonly tlsCert: string;
  /** PEM "PRIVATE KEY" (PKCS#8, EC P-256). */
  readonly tlsKey: string;
  /** PEM CA that peers must chain to: the certificate itself. */
  readonly tlsCa: string;
}

export interface SelfSignedOptions {
  /** How long the certificate is valid, in days. @default 365 */
  readonly days?: number;
  /**
   * Subject alternative names: host names and IP addresses. Peers of a cluster do not check
   * host names (they verify with `checkServerIdentity: () => undefined`), so these only serve
   * clients that insist on a name check. @default ["localhost", "127.0.0.1"]
   */
  readonly hosts?: readonly string[];
}

/** The longest common name accepted: room for "flowgate-" and a 200-character cluster name. */
export const MAX_COMMON_NAME_LENGTH = 256;

/** Whether `name` can be a certificate's common name: a non-empty string without control characters. */
export function isCertificateName(
  name: unknown,
  maxLength = MAX_COMMON_NAME_LENGTH,
): name is string {
  return (
    typeof name === "string" &&
    name.length > 0 &&
    name.length <= maxLength &&
    !/[\p{Cc}]/u.test(name)
  );
}

const DAY_MS = 86_400_000;
// Allows for clocks that are a little behind the one of the machine that made the certificate.
const BACKDATE_MS = 5 * 60 * 1000;
const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;

type X509 = typeof import("@peculiar/x509");
let x509Module: Promise<X509> | undefined;

// Loaded on first use: the library is large, and most processes (workers) never make credentials.
function loadX509(): Promise<X509> {
  x509Module ??= import("./reflect-shim.ts").then(() => import("@peculiar/x509"));
  return x509Module;
}

/**
 * Makes fresh per-cluster credentials (as Dask Gateway does): one self-signed certificate that is
 * also the CA, usable as server and client certificate; scheduler, workers and clients all present
 * it and each side trusts only peers that chain to it. Each call makes a new key and serial.
 * Takes a few milliseconds (EC P-256). Throws TypeError for an unusable common name or validity.
 */
export async function makeSelfSignedCredentials(
  commonName = "flowgate-cluster",
  options: SelfSignedOptions = {},
): Promise<SelfSignedCredentials> {
  const { days = 365, hosts = ["localhost", "127.0.0.1"] } = options;
  if (!isCertificateName(commonName))
    throw new TypeError(
      `cannot make TLS credentials for common name ${JSON.stringify(commonName)}: it must be a ` +
        `non-empty string of at most ${MAX_COMMON_NAME_LENGTH} printable characters`,
    );
  if (!(typeof days === "number" && days > 0 && days <= 36_500))
    throw new TypeError(`TLS credentials: days must be a number in (0, 36500], got ${days}`);
  const x509 = await loadX509();
  const crypto = webcrypto as unknown as Crypto;
  const keys = await crypto.subtle.generateKey(EC, true, ["sign", "verify"]);
  const now = Date.now();
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0]! & 0x7f) | 0x01; // a positive INTEGER of 16 bytes
  const extensions: Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature |
        x509.KeyUsageFlags.keyCertSign |
        x509.KeyUsageFlags.cRLSign,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(
      [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
  ];
  if (hosts.length > 0)
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => ({ type: isIP(h) ? ("ip" as const) : ("dns" as const), value: h })),
      ),
    );
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(serial).toString("hex"),
      // The JSON form needs no escaping of characters that are special in "CN=..." strings.
      name: [{ CN: [commonName] }],
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + days * DAY_MS),
      signingAlgorithm: SIGNING,
      keys,
      extensions,
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  const pem = `${cert.toString("pem")}\n`;
  return { tlsCert: pem, tlsKey: toPem("PRIVATE KEY", pkcs8), tlsCa: pem };
}

function toPem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
