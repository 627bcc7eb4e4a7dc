import type { ClusterSecurity } from "../security.ts";

/**
 * A two-way message channel as the protocol's ends use it: a Connection (framed bytes over a
 * socket) or a MemoryLink (objects within one process). `In` is what the peer sends.
 */
export interface MessageLink<In extends { readonly t: string }, Out extends object> {
  /** Remote peer name, set by whoever handshakes. */
  peer: string;
  onMessage: (msg: In) => void;
  onClose: (reason: string) => void;
  readonly closed: boolean;
  send(msg: Out): void;
  /** A message nobody waits on (progress, a release): it may wait for company. */
  sendLazy(msg: Out): void;
  /** Sends `msg` with `values` (byte strings or null), which the peer gets as `msg.values`. */
  sendBulk(msg: Out, values: readonly (Uint8Array | null)[]): void;
  /** Sends what is queued now. */
  flush(): void;
  close(reason?: string): void;
}

/** A stand-in for a message, telling the receiving end that the sending one closed. */
const CLOSED = Symbol("closed");

/**
 * One end of an in-process link: a message sent reaches the other end's onMessage at the next
 * microtask checkpoint (never inside the sender's call), in order, as the same object — no
 * encoding, no copy. A sender gives up a message as it sends it, as on the wire, where what it
 * changes afterwards does not travel.
 */
class MemoryLink<In extends { readonly t: string }, Out extends object> implements MessageLink<
  In,
  Out
> {
  other: { deliver(msg: object | typeof CLOSED): void } | undefined;
  peer = "";
  onMessage: (msg: In) => void = () => {};
  onClose: (reason: string) => void = () => {};
  private closedFlag = false;
  private inbox: (In | typeof CLOSED)[] = [];
  private draining = false;

  get closed(): boolean {
    return this.closedFlag;
  }

  send(msg: Out): void {
    if (!this.closedFlag) this.other?.deliver(msg);
  }

  sendLazy(msg: Out): void {
    this.send(msg);
  }

  sendBulk(msg: Out, values: readonly (Uint8Array | null)[]): void {
    this.send({ ...msg, values: [...values] });
  }

  flush(): void {}

  close(reason = "closed"): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.inbox = [];
    this.other?.deliver(CLOSED);
    this.other = undefined;
    this.onClose(reason);
  }

  /** What the other end sent: the one place where its `Out` becomes this end's `In`. */
  deliver(msg: object | typeof CLOSED): void {
    this.inbox.push(msg as In | typeof CLOSED);
    if (this.draining) return;
    this.draining = true;
    queueMicrotask(this.drain);
  }

  private readonly drain = (): void => {
    this.draining = false;
    const batch = this.inbox;
    this.inbox = [];
    for (const m of batch) {
      if (this.closedFlag) return;
      if (m === CLOSED) return this.close("connection closed");
      this.onMessage(m);
    }
  };
}

/** Both ends of an in-process link. */
export function memoryLinks<
  AIn extends { readonly t: string },
  AOut extends object,
  BIn extends { readonly t: string },
  BOut extends object,
>(): [MessageLink<AIn, AOut>, MessageLink<BIn, BOut>] {
  const a = new MemoryLink<AIn, AOut>();
  const b = new MemoryLink<BIn, BOut>();
  a.other = b;
  b.other = a;
  return [a, b];
}

interface Served {
  readonly accept: (link: MessageLink<{ readonly t: string }, object>) => void;
  readonly security: ClusterSecurity | undefined;
}

/** Schedulers running in this process, by the address they listen on. */
const inProcess = new Map<string, Served>();

/**
 * Makes `address` reachable from this process without its socket: connectInProcess then hands
 * one end of a memory link to `accept` (a LocalCluster's scheduler and its client in one
 * process, as Dask's inproc transport). With `security` (a TLS listener), only a client holding
 * that certificate is let in this way; another one dials the socket and is refused there, as
 * from any other process. Returns the undo.
 */
export function serveInProcess<In extends { readonly t: string }, Out extends object>(
  address: string,
  accept: (link: MessageLink<In, Out>) => void,
  security: ClusterSecurity | undefined,
): () => void {
  const served: Served = { accept: accept as Served["accept"], security };
  inProcess.set(address, served);
  return () => {
    if (inProcess.get(address) === served) inProcess.delete(address);
  };
}

/**
 * A link to the scheduler serving `address` in this process, if one does and admits
 * `security`; undefined means: dial its socket.
 */
export function connectInProcess<In extends { readonly t: string }, Out extends object>(
  address: string,
  security: ClusterSecurity | undefined,
): MessageLink<In, Out> | undefined {
  const served = inProcess.get(address);
  if (!served) return undefined;
  const need = served.security;
  if (need && (security?.tlsCert !== need.tlsCert || security.tlsKey !== need.tlsKey))
    return undefined;
  const [mine, theirs] = memoryLinks<In, Out, { readonly t: string }, object>();
  served.accept(theirs);
  return mine;
}
