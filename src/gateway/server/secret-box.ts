import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { GatewayConfigError } from "./errors.ts";

/** Encrypts secrets at rest with AES-256-GCM; the key is any string, hashed to 32 bytes. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: string) {
    this.#key = createHash("sha256").update(key).digest();
  }

  /** Returns "v1:<iv>:<tag>:<ciphertext>" in base64 parts. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.#key, iv);
    const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
    return [
      "v1",
      iv.toString("base64"),
      c.getAuthTag().toString("base64"),
      body.toString("base64"),
    ].join(":");
  }

  /** Throws GatewayConfigError when the text was sealed with another key. */
  open(sealed: string): string {
    const [v, iv, tag, body] = sealed.split(":");
    if (v !== "v1" || !iv || !tag || body === undefined)
      throw new GatewayConfigError(
        "a stored secret is not in the v1 format; the database is damaged",
      );
    try {
      const d = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64"));
      d.setAuthTag(Buffer.from(tag, "base64"));
      return Buffer.concat([d.update(Buffer.from(body, "base64")), d.final()]).toString("utf8");
    } catch (e) {
      throw new GatewayConfigError(
        "cannot decrypt a stored secret: the encryption key differs from the one the database was written with; set the original encryptKey",
        { cause: e },
      );
    }
  }
}
