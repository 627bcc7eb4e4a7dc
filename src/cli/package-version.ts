import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * flowgate's version from its package.json, found by walking up from this module (the same
 * answer from src/ in a checkout, from dist/ when installed, or from a bundle).
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "flowgate" && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look one level up
    }
    const up = dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
}
