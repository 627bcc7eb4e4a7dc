import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { GatewayConfigError } from "./errors.ts";

/**
 * The gateway's state folder when the config names none: FLOWGATE_STATE_DIR, else
 * /var/lib/flowgate/gateway for root (a system service; its cluster folders must be reachable by
 * the users the `local` backend runs clusters as, which a folder under /root is not), else the
 * XDG state folder ($XDG_STATE_HOME or ~/.local/state) + flowgate/gateway.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOWGATE_STATE_DIR) return env.FLOWGATE_STATE_DIR;
  if (process.getuid?.() === 0) return "/var/lib/flowgate/gateway";
  const xdg = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(xdg, "flowgate", "gateway");
}

/**
 * Creates the state folder if needed. Mode 0711: others may pass through it to the cluster
 * folder they own (the `local` backend) but not list it; its files are 0600.
 */
export function ensureStateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o711 });
  } catch (e) {
    throw new GatewayConfigError(
      `cannot create the gateway's state folder ${JSON.stringify(dir)} (${(e as NodeJS.ErrnoException).code}); set stateDir in the config, --state-dir or FLOWGATE_STATE_DIR to a folder the gateway may write`,
      { cause: e },
    );
  }
}

/**
 * The key sealing the default database's secrets: read from `<dir>/encrypt-key`, generated
 * (32 random bytes, file 0600) on first use. The key lives beside the database, so it protects
 * a copied database file (a backup), not a stolen folder; set encryptKey to keep it elsewhere.
 */
export function stateEncryptKey(dir: string): string {
  ensureStateDir(dir);
  const file = join(dir, "encrypt-key");
  try {
    return readFileSync(file, "utf8").trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const key = randomBytes(32).toString("hex");
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: "wx" });
  } catch (e) {
    // Another gateway start raced us: use the key it wrote.
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(file, "utf8").trim();
    throw e;
  }
  chmodSync(file, 0o600);
  return key;
}
