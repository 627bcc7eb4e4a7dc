import { createHmac, timingSafeEqual } from "node:crypto";

/** The `X-Flowgate-Signature` value of a body: "sha256=" + hex HMAC-SHA256 with the secret. */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Checks a received signature (receivers can use this, in constant time). */
export function verifyWebhook(
  secret: string,
  body: string,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const want = Buffer.from(signWebhook(secret, body));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
