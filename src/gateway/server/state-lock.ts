import { readFileSync, rmSync, writeFileSync } from "node:fs";
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
 * Makes this gateway the only one using its database file (`<db>.pid` beside it): a second
 * gateway on it would adopt the first's running clusters at start and stop them when it shuts
 * down. A lock whose process is gone (a crash) is taken over; an in-memory database needs none.
 * Returns the function that releases it; GatewayStateInUseError when a live gateway holds it.
 */
export function lockDatabase(db: string): () => void {
  if (db === ":memory:" || db === "") return () => {};
  const file = `${db}.pid`;
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
    if (live || attempt > 0) throw new GatewayStateInUseError(db, pid);
    rmSync(file, { force: true }); // its gateway is gone
  }
}
