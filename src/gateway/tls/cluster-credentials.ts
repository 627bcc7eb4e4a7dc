import { webcrypto } from "node:crypto";
import { InvalidCredentialsNameError } from "./errors.ts";

/** A cluster's TLS credentials: one certificate that is also the cluster's CA, and its key. */
export interface ClusterCredentials {
  /** PEM "CERTIFICATE": self-signed, CA:true, serverAuth + clientAuth, CN=flowgate-<name>. */
  readonly tlsCert: string;
  /** PEM "PRIVATE KEY" (PKCS#8, EC P-256). */
  readonly tlsKey: string;
}

const VALIDITY_MS = 365 * 24 * 3600 * 1000;
// Allows for clocks that are a little behind the gateway's.
const BACKDATE_MS = 5 * 60 * 1000;
const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;

type X509 = typeof import("@peculiar/x509");
let x509Module: Promise<X509> | undefined;

// Loaded on first use: the library is large, and only the gateway server makes credentials.
function loadX509(): Promise<X509> {
  x509Module ??= import("./reflect-shim.ts").then(() => import("@peculiar/x509"));
  return x509Module;
}

/**
 * Makes the per-cluster credentials (as Dask Gateway does): scheduler, workers and clients all
 * present this certificate, and each side trusts only peers that chain to it. Host names are not
 * part of it; verify with `checkServerIdentity: () => undefined`.
 * Takes a few milliseconds (EC P-256). Throws InvalidCredentialsNameError for an unusable name.
 */
export async function makeClusterCredentials(clusterName: string): Promise<ClusterCredentials> {
  if (
    typeof clusterName !== "string" ||
    clusterName.length === 0 ||
    clusterName.length > 200 ||
    /[\p{Cc}]/u.test(clusterName)
  )
    throw new InvalidCredentialsNameError(clusterName);
  const x509 = await loadX509();
  const crypto = webcrypto as unknown as Crypto;
  const keys = await crypto.subtle.generateKey(EC, true, ["sign", "verify"]);
  const now = Date.now();
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] = serial[0]! & 0x7f; // a positive INTEGER
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(serial).toString("hex"),
      // The JSON form needs no escaping of characters that are special in "CN=..." strings.
      name: [{ CN: [`flowgate-${clusterName}`] }],
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + VALIDITY_MS),
      signingAlgorithm: SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign,
          true,
        ),
        new x509.ExtendedKeyUsageExtension(
          [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
          false,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { tlsCert: `${cert.toString("pem")}\n`, tlsKey: toPem("PRIVATE KEY", pkcs8) };
}

function toPem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
