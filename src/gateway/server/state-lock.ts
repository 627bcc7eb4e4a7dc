import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GatewayStateInUseError } from "./errors.ts";

/** Lock files this process holds (a second gateway in the same process must not share one). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes this gateway the only one using the folder of its clusters (`<dir>/gateway.pid`): two
 * gateways there would adopt and stop each other's clusters. A lock whose process is gone (a
 * crash) is taken over. Returns the function that releases it; GatewayStateInUseError when a
 * live gateway holds it.
 */
export function lockStateDir(dir: string): () => void {
  const file = join(dir, "gateway.pid");
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      held.add(file);
      return () => {
        if (held.delete(file) && holder(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const pid = holder(file);
    const live = held.has(file) || (pid !== undefined && pid !== process.pid && alive(pid));
    if (live || attempt > 0) throw new GatewayStateInUseError(dir, pid);
    rmSync(file, { force: true }); // its gateway is gone
  }
}
