import { chmodSync, lstatSync, unlinkSync } from "node:fs";
import net from "node:net";
import type { Duplex } from "node:stream";
import { ClusterStartError } from "../errors.ts";
import { checkSocketPath } from "./address.ts";
import { ReadSteering } from "./read-steering.ts";

/**
 * Opens a Unix-domain socket connection. No TLS: who may connect is decided by the permissions
 * of the socket's directory. Rejects with the system error, its message rewritten to say what
 * ENOENT, ECONNREFUSED and EACCES mean here (the code stays in it: dialWithRetry looks for it).
 * Its reads are steered (read-steering.ts): it emits no `data` events; a Connection made over it
 * takes its bytes, reading large values in place.
 */
export function connectUnix(path: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const steering = new ReadSteering();
    const s = steering.bind(net.connect({ path, onread: steering.onread }, () => resolve(s)));
    s.once("error", (e: NodeJS.ErrnoException) => reject(explain(e, path)));
  });
}

function explain(e: NodeJS.ErrnoException, path: string): Error {
  const why =
    e.code === "ENOENT"
      ? `there is no socket file ${path} (ENOENT): is the process running, and is this its path?`
      : e.code === "ECONNREFUSED"
        ? `nothing listens on ${path} (ECONNREFUSED): a socket file left by a process that stopped`
        : e.code === "EACCES"
          ? `permission denied on ${path} (EACCES): its directory is not open to this user`
          : e.message;
  return Object.assign(new Error(why, { cause: e }), { code: e.code });
}

/**
 * Listens on a Unix-domain socket at `path` (absolute), handing each accepted connection to
 * onConnection. A socket file left by a process that stopped (a restarted worker) is removed
 * first; one a live process listens on, or a file that is not a socket, is a ClusterStartError.
 * The socket is made 0600 (the directory's permissions are what protect it; this is a second
 * fence). Node removes the file again when the server closes.
 */
export async function listenUnix(
  path: string,
  onConnection: (stream: Duplex) => void,
): Promise<net.Server> {
  checkSocketPath(path);
  await removeStale(path);
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new ClusterStartError(`cannot listen on the Unix socket ${path}: ${e.message}`, {
          cause: e,
        }),
      ),
    );
    server.listen({ path, exclusive: true }, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

async function removeStale(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket)
    throw new ClusterStartError(
      `cannot listen on ${path}: a file that is not a socket is there; remove it or choose another path`,
    );
  const live = await connectUnix(path).then(
    (s) => (s.destroy(), true),
    () => false,
  );
  if (live)
    throw new ClusterStartError(
      `cannot listen on ${path}: another process listens there; stop it or choose another path`,
    );
  unlinkSync(path);
}
