import type { z } from "zod";

/** "limits.maxWorkers", "auth.users.alice", or "" at the top. */
function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`))
    .join("");
}

/**
 * One line for a failed parse: the first problem (unknown keys first, as they are usually the
 * cause of the others), with the key path, e.g. `unknown key "adress", did you mean "address"?`
 * or `heartbeatPeriodMs must be a duration …, got -5`.
 */
export function describeIssues(error: z.ZodError): string {
  const issues = [...error.issues].sort(
    (a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"),
  );
  const first = issues[0]!;
  let path = pathOf(first.path);
  let message = first.message;
  const union = first as { note?: string; options?: unknown[] };
  if (first.code === "invalid_union" && union.note === "No matching discriminator" && union.options)
    message = `must be one of ${union.options.map((o) => JSON.stringify(o)).join(", ")}`;
  if (first.code === "unrecognized_keys" && path) {
    const at = path;
    message = message.replace(
      /unknown key "([^"]*)"/g,
      (_m, k: string) => `unknown key "${at}.${k}"`,
    );
    path = "";
  }
  const more =
    issues.length > 1
      ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})`
      : "";
  return `${path ? `${path} ` : ""}${message}${more}`;
}
