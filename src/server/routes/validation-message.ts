/** One schema failure as fastify hands it over (an Ajv error object). */
interface SchemaFailure {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/**
 * The text of a 422 for a request that failed schema validation. An enum (a union of literals)
 * fails as one "must be equal to constant" per allowed value plus an "anyOf"; those become one
 * line naming the value received and the valid ones, e.g.
 * `body/states/0 is "Bogus", not one of Scheduled, Queued, …`.
 */
export function validationMessage(
  where: string,
  failures: readonly SchemaFailure[],
  input: unknown,
): string {
  const allowed = new Map<string, unknown[]>();
  for (const f of failures)
    if (f.keyword === "const") {
      const list = allowed.get(f.instancePath) ?? [];
      list.push(f.params["allowedValue"]);
      allowed.set(f.instancePath, list);
    }
  const parts: string[] = [];
  for (const f of failures) {
    const enumFailed = allowed.has(f.instancePath);
    if (enumFailed && f.keyword === "const") continue;
    if (enumFailed && f.keyword === "anyOf") {
      const valid = allowed.get(f.instancePath)!.map((v) => String(v));
      const got = JSON.stringify(valueAt(input, f.instancePath)) ?? "nothing";
      parts.push(`${where}${f.instancePath} is ${got}, not one of ${valid.join(", ")}`);
      continue;
    }
    parts.push(`${where}${f.instancePath} ${f.message ?? f.keyword}`);
  }
  return [...new Set(parts)].join(", ");
}

/** The value at a JSON pointer (`/states/0`) inside the request's body, query or params. */
function valueAt(input: unknown, pointer: string): unknown {
  let v = input;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
