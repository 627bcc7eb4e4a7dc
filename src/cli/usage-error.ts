// Kept for the command modules that import it from here; the CLI's errors live in errors.ts.
export { UsageError } from "./errors.ts";
