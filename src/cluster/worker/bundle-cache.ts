import { existsSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * The worker's cache of flow bundles (the users' code), one file per content hash, shared by the
 * workers on a host: written atomically (a temporary file renamed), read by the task threads.
 */
export class BundleCache {
  /** Hashes known to be in the cache directory. */
  private readonly known = new Set<string>();

  private readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Where the bundle with this hash lives (whether or not it is there yet). */
  path(hash: string): string {
    return `${this.dir}/${hash}.mjs`;
  }

  has(hash: string): boolean {
    if (this.known.has(hash)) return true;
    if (!existsSync(this.path(hash))) return false;
    this.known.add(hash);
    return true;
  }

  /** Writes a bundle the scheduler sent; null (it had none) writes nothing. */
  store(hash: string, code: Buffer | null): void {
    if (!code) return;
    const path = this.path(hash);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, path);
    this.known.add(hash);
  }
}
