import { fileURLToPath } from "node:url";
import { sourceFingerprint as fingerprintAt } from "../../bin/code-freshness.js";
import { packageRoot } from "./code-location.ts";

/**
 * A fingerprint of flowgate's sources under `dirs` (relative paths, sizes, mtimes), naming the
 * cached builds of them: a changed source makes a new build. The same function decides whether
 * a checkout's dist/ is current (bin/code-freshness.js).
 */
export function sourceFingerprint(dirs: readonly string[] = ["src"]): string {
  return fingerprintAt(fileURLToPath(packageRoot()), dirs);
}
