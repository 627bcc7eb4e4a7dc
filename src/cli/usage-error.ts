/** A bad command line or input file: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
