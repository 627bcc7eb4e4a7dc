import { Duplex } from "node:stream";
import type { ClusterSecurity } from "../security.ts";

/**
 * One end of an in-memory byte stream. What is written reaches the other end at the next
 * microtask checkpoint (never inside the writer's call), as the same buffers: no copy, no system
 * call, no wake-up of another process.
 */
class MemoryEnd extends Duplex {
  other: MemoryEnd | undefined;

  constructor() {
    // Ending one side ends the other, as closing a socket does.
    super({ allowHalfOpen: false });
  }

  override _read(): void {}

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (e?: Error | null) => void,
  ): void {
    const other = this.other;
    queueMicrotask(() => other?.push(chunk));
    done();
  }

  /** A corked batch (a frame and its attachments) arrives in one go. */
  override _writev(chunks: { chunk: Buffer }[], done: (e?: Error | null) => void): void {
    const other = this.other;
    queueMicrotask(() => {
      for (const c of chunks) other?.push(c.chunk);
    });
    done();
  }

  override _final(done: (e?: Error | null) => void): void {
    const other = this.other;
    queueMicrotask(() => other?.push(null));
    done();
  }

  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    const other = this.other;
    this.other = undefined;
    if (other && !other.destroyed) queueMicrotask(() => other.destroy());
    done(e);
  }
}

/** Both ends of an in-memory byte stream (Node 20 has no stream.duplexPair). */
export function memoryPipe(): [Duplex, Duplex] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.other = b;
  b.other = a;
  return [a, b];
}

interface Served {
  readonly accept: (stream: Duplex) => void;
  readonly security: ClusterSecurity | undefined;
}

/** Schedulers running in this process, by the address they listen on. */
const inProcess = new Map<string, Served>();

/**
 * Makes `address` reachable in memory from this process: dial() then hands one end of a
 * memoryPipe to `accept` instead of opening a socket (a LocalCluster's scheduler and the
 * client in the same process, as Dask's inproc transport). With `security` (a TLS listener),
 * only a client holding that certificate is let in this way; another one dials the socket and
 * is refused there, as from any other process. Returns the undo.
 */
export function serveInProcess(
  address: string,
  accept: (stream: Duplex) => void,
  security: ClusterSecurity | undefined,
): () => void {
  const served = { accept, security };
  inProcess.set(address, served);
  return () => {
    if (inProcess.get(address) === served) inProcess.delete(address);
  };
}

/** A stream to the scheduler serving `address` in this process, if one does and admits `security`. */
export function connectInProcess(address: string, security?: ClusterSecurity): Duplex | undefined {
  const served = inProcess.get(address);
  if (!served) return undefined;
  const need = served.security;
  if (need && (security?.tlsCert !== need.tlsCert || security.tlsKey !== need.tlsKey))
    return undefined;
  const [mine, theirs] = memoryPipe();
  served.accept(theirs);
  return mine;
}
