/**
 * Keeps the cookies a gateway sets (it issues one after the first authenticated request, so later
 * requests skip re-checking the password). One jar per Gateway; paths and domains are not
 * tracked because every request goes to the same gateway.
 */
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; expiresAt: number }>();

  /** Records every `Set-Cookie` header of a response. */
  store(headers: Headers, now = Date.now()): void {
    for (const line of headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expiresAt = Infinity;
      for (const attribute of attributes) {
        const [key = "", v = ""] = attribute.split("=", 2).map((s) => s.trim());
        if (key.toLowerCase() === "max-age" && /^-?\d+$/.test(v))
          expiresAt = now + Number(v) * 1000;
        else if (key.toLowerCase() === "expires" && expiresAt === Infinity) {
          const t = Date.parse(v);
          if (!Number.isNaN(t)) expiresAt = t;
        }
      }
      if (expiresAt <= now || value === "") this.#cookies.delete(name);
      else this.#cookies.set(name, { value, expiresAt });
    }
  }

  /** The `Cookie` header value, or undefined when there is no live cookie. */
  header(now = Date.now()): string | undefined {
    const parts: string[] = [];
    for (const [name, { value, expiresAt }] of this.#cookies) {
      if (expiresAt <= now) this.#cookies.delete(name);
      else parts.push(`${name}=${value}`);
    }
    return parts.length > 0 ? parts.join("; ") : undefined;
  }

  clear(): void {
    this.#cookies.clear();
  }
}
