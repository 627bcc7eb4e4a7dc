import { execFileSync } from "node:child_process";
import { userInfo } from "node:os";

/** A Unix account a cluster's processes run as. */
export interface UnixAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** Unix user names as useradd accepts them; anything else is never looked up. */
const validName = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i;

/**
 * The account named `name` from the system's user database (`getent passwd`, so LDAP/SSSD
 * accounts count too), or undefined when there is none.
 */
export function lookupAccount(name: string): UnixAccount | undefined {
  if (!validName.test(name)) return undefined;
  let line: string;
  try {
    line = execFileSync("getent", ["passwd", name], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5000,
    });
  } catch {
    return undefined; // exit 2: no such user
  }
  const f = line.trim().split("\n")[0]!.split(":");
  if (f.length < 7 || f[0] !== name) return undefined;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
  return { name, uid, gid, home: f[5]!, shell: f[6]! };
}

/** The account the gateway itself runs as. */
export function gatewayAccount(): UnixAccount {
  const u = userInfo();
  return { name: u.username, uid: u.uid, gid: u.gid, home: u.homedir, shell: u.shell ?? "" };
}

/** Whether this process may start processes as other users. */
export const isRoot = (): boolean => process.getuid?.() === 0;
