import type { OnReadOpts } from "node:net";
import type { Duplex } from "node:stream";

/** The size of a steered socket's reusable read buffer (what Node allocates per read otherwise). */
const SCRATCH_BYTES = 64 * 1024;

/** What consumes a steered socket's bytes (a Connection). */
export interface ReadSink {
  /** A buffer the next read should fill directly (the rest of a large value), or undefined. */
  direct(): Buffer | undefined;
  /** `n` bytes were read into the start of the buffer `direct()` returned. */
  filled(n: number): void;
  /** Bytes were read into the socket's read buffer, which the next read reuses (keep no reference). */
  read(bytes: Buffer): void;
}

const steerings = new WeakMap<Duplex, ReadSteering>();

/**
 * Chooses where a socket's reads land, through Node's `onread` option (net.connect,
 * tls.connect): by default in one reusable 64 KiB buffer instead of a fresh one per read, and,
 * when the consumer is receiving a large value, straight into that value's buffer. A 1 MiB value
 * then costs the kernel's copy and no other; through `data` events it cost a fresh 64 KiB buffer
 * per read (page faults, external memory that drives major GCs) and a second copy to join them.
 *
 * The transport creates one per socket (`onread` goes in the connect options, then `bind`); the
 * socket's consumer finds it with `steeringOf` and `attach`es. Bytes read before that are kept.
 */
export class ReadSteering {
  private readonly scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  private sink: ReadSink | undefined;
  private early: Buffer[] = [];
  /** The buffer the pending read fills, when it is the sink's direct target. */
  private directBuffer: Buffer | undefined;

  /** The `onread` option for net.connect / tls.connect. */
  readonly onread: OnReadOpts = {
    buffer: (): Buffer => {
      this.directBuffer = this.sink?.direct();
      return this.directBuffer ?? this.scratch;
    },
    callback: (n: number, buf: Uint8Array): boolean => {
      if (this.sink && buf === this.directBuffer) this.sink.filled(n);
      else {
        const bytes = Buffer.from(buf.buffer, buf.byteOffset, n);
        if (this.sink) this.sink.read(bytes);
        else this.early.push(Buffer.from(bytes));
      }
      return true;
    },
  };

  /** Records that `socket` was made with this steering's `onread`. */
  bind<S extends Duplex>(socket: S): S {
    steerings.set(socket, this);
    return socket;
  }

  /**
   * Hands every read from now on to `sink`. Bytes read before are handed over first, from a
   * later turn (as a paused stream's buffered data is), so that whoever made the sink has set
   * its handlers by then; reads meanwhile queue behind them.
   */
  attach(sink: ReadSink): void {
    if (this.early.length === 0) {
      this.sink = sink;
      return;
    }
    setImmediate(() => {
      const early = this.early;
      this.early = [];
      this.sink = sink;
      for (const b of early) sink.read(b);
    });
  }
}

/** The steering `stream` was made with, if a transport made it so. */
export function steeringOf(stream: Duplex): ReadSteering | undefined {
  return steerings.get(stream);
}
