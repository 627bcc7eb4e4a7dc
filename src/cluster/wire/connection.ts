import type { Duplex } from "node:stream";
import { decodeMessage, encodeMessage } from "./codec.ts";
import { type Frame, type FrameHead, FrameParser } from "./frame-parser.ts";
import { steeringOf } from "./read-steering.ts";

export type Message = { readonly t: string } & Record<string, unknown>;

/** A frame's head: its messages, those with attachments saying how long each is (-1: null). */
export type FrameBatch = (Record<string, unknown> & { $att?: number[] })[];

/** Attachments this large are written on their own, never copied into a bigger buffer. */
const LARGE_PIECE = 65536;

/** How received bytes came (Connection.receive). */
const OWNED = 0;
const TRANSIENT = 1;
const DIRECT = 2;
type Received = typeof OWNED | typeof TRANSIENT | typeof DIRECT;

/** How long a lazy message may wait for others to share its write. */
const LAZY_DELAY_MS = 2;

/**
 * A framed message channel over any byte stream (TCP, TLS, a WebSocket tunnel). Sends made in
 * one synchronous run (handling a frame, a timer, a thread's message) are coalesced into one
 * frame, written at the next microtask checkpoint rather than a whole turn later; `flush()`
 * sends at once.
 *
 * Frame payload: u32 header length, the msgpack header (an array of messages), then raw
 * attachments. `sendBulk` moves a message's byte values out of the header into attachments, so
 * that megabyte results are written as they are and received each into a buffer of its own size
 * (FrameParser; on a steered socket, by the kernel's copy alone), never re-encoded.
 */
export class Connection<In extends { readonly t: string } = Message, Out extends object = Message> {
  private outbox: unknown[] = [];
  private scheduled = false;
  private readonly parser = new FrameParser(decodeFrameHead);
  /** A TLS socket joins the buffers of a writev into one fresh buffer: large pieces are paced. */
  private readonly joinsWrites: boolean;
  private closedFlag = false;
  /** Bytes waiting behind a large frame that is being written piece by piece. */
  private paced: Uint8Array[] | undefined;
  private lazyTimer: NodeJS.Timeout | undefined;
  /** Remote peer name, set by whoever handshakes. */
  peer = "";
  /** Called with each message received; `In` is what the peer's side of the protocol sends. */
  onMessage: (msg: In) => void = () => {};
  onClose: (reason: string) => void = () => {};

  constructor(readonly stream: Duplex) {
    this.joinsWrites = "encrypted" in stream && stream.encrypted === true; // a TLSSocket
    const steering = steeringOf(stream);
    if (steering)
      steering.attach({
        direct: () => this.parser.directTarget(),
        filled: (n) => this.receive(DIRECT, undefined, n),
        read: (bytes) => this.receive(TRANSIENT, bytes, 0),
      });
    else stream.on("data", (chunk: Buffer) => this.receive(OWNED, chunk, 0));
    stream.on("error", (e) => this.close(e.message));
    stream.on("close", () => this.close("connection closed"));
  }

  /**
   * Parses bytes received (`n` of them into the parser's direct target, or `bytes`: a `data`
   * chunk, or a read buffer about to be reused) and delivers the messages of the frames they
   * complete; a malformed frame closes the connection.
   */
  private receive(how: Received, bytes: Buffer | undefined, n: number): void {
    if (this.closedFlag) return;
    let messages: In[];
    try {
      const frames =
        how === DIRECT
          ? this.parser.pushDirect(n)
          : how === TRANSIENT
            ? this.parser.pushTransient(bytes!)
            : this.parser.push(bytes!);
      if (frames.length === 0) return;
      messages =
        frames.length === 1 ? unpackFrame<In>(frames[0]!) : frames.flatMap(unpackFrame<In>);
    } catch (e) {
      return this.close(e instanceof Error ? e.message : String(e));
    }
    for (const m of messages) {
      if (this.closedFlag) return;
      this.onMessage(m);
    }
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  send(msg: Out): void {
    if (this.closedFlag) return;
    this.outbox.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /**
   * Sends a message nobody waits on (progress, a release) with the next `send`, or within
   * LAZY_DELAY_MS: in a chain of short tasks each event is its own turn, and a write per message
   * (a syscall and a TLS record each) was most of the scheduler's time.
   */
  sendLazy(msg: Out): void {
    if (this.closedFlag) return;
    this.outbox.push(msg);
    if (!this.scheduled && !this.lazyTimer) this.lazyTimer = setTimeout(this.flush, LAZY_DELAY_MS);
  }

  /** Sends `msg` with `values` (byte strings or null) as raw attachments, after anything queued. */
  sendBulk(msg: Out, values: readonly (Uint8Array | null)[]): void {
    if (this.closedFlag) return;
    // What is queued goes in the same frame (one encoding, one write, one wake-up of the peer).
    const batch = this.takeOutbox();
    batch.push({ ...msg, $att: values.map((v) => (v ? v.length : -1)) });
    const header = encodeMessage(batch);
    let total = 4 + header.length;
    for (const v of values) if (v) total += v.length;
    // Frame length, header length and header in one buffer: one write, so one TLS record.
    const head = Buffer.allocUnsafe(8 + header.length);
    head.writeUInt32BE(total, 0);
    head.writeUInt32BE(header.length, 4);
    header.copy(head, 8);
    // Large values are written as they are (no copy); runs of small ones are joined first,
    // because one write call per tiny result costs far more than copying it.
    const pieces: Uint8Array[] = [head];
    let small: Uint8Array[] = [];
    const joinSmall = () => {
      if (small.length) pieces.push(small.length === 1 ? small[0]! : Buffer.concat(small));
      small = [];
    };
    let large = false;
    for (const v of values) {
      if (!v || v.length === 0) continue;
      if (v.length >= LARGE_PIECE) {
        joinSmall();
        pieces.push(v);
        large = true;
      } else small.push(v);
    }
    joinSmall();
    if (this.paced || (large && this.joinsWrites)) return this.writePaced(pieces);
    // One writev: the socket takes the pieces as they are, as fast as the peer drains them.
    this.stream.cork();
    for (const p of pieces) this.stream.write(p);
    this.stream.uncork();
  }

  /** The queued messages, taken out (a flush still scheduled then finds none). */
  private takeOutbox(): unknown[] {
    if (this.lazyTimer) {
      clearTimeout(this.lazyTimer);
      this.lazyTimer = undefined;
    }
    const batch = this.outbox;
    this.outbox = [];
    return batch;
  }

  /** Writes every queued message now, as one frame. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.outbox.length === 0 || this.closedFlag) return void this.takeOutbox();
    const header = encodeMessage(this.takeOutbox());
    // One buffer, one write: a frame written in two pieces costs two TLS records and writev entries.
    const frame = Buffer.allocUnsafe(8 + header.length);
    frame.writeUInt32BE(header.length + 4, 0);
    frame.writeUInt32BE(header.length, 4);
    header.copy(frame, 8);
    if (this.paced) this.paced.push(frame);
    else this.stream.write(frame);
  };

  /**
   * Writes pieces (over TLS) with at most two in the stream at once: one being written, one waiting alone,
   * so the stream never has several to join. TLS joins a writev into one fresh buffer (a page
   * fault per 4 KiB), which held TLS transfers to ~0.15 GiB/s. What is sent meanwhile waits
   * behind these pieces.
   */
  private writePaced(pieces: Uint8Array[]): void {
    if (this.paced) {
      this.paced.push(...pieces);
      return;
    }
    this.paced = pieces;
    let inStream = 0;
    const next = (err?: Error | null): void => {
      if (err) return void (this.paced = undefined);
      for (; inStream < 2; inStream++) {
        const piece = this.paced?.shift();
        if (!piece) {
          if (inStream === 0) this.paced = undefined;
          return;
        }
        this.stream.write(piece, (e) => {
          inStream--;
          next(e);
        });
      }
    };
    next();
  }

  close(reason = "closed"): void {
    if (this.closedFlag) return;
    this.flush();
    this.closedFlag = true;
    for (const p of this.paced ?? []) this.stream.write(p);
    this.paced = undefined;
    this.stream.end();
    setTimeout(() => this.stream.destroy(), 1000).unref();
    this.onClose(reason);
  }
}

/** Decodes a frame's head: the batch of messages, and the attachment lengths they announce in order. */
export function decodeFrameHead(bytes: Buffer): FrameHead<FrameBatch> {
  // Decoding is where the wire's bytes become the protocol's types: the sender's side typed them.
  const batch = decodeMessage<FrameBatch>(bytes);
  if (!Array.isArray(batch)) throw new TypeError(`the head is a ${typeof batch}, not a batch`);
  let attachments: number[] = [];
  for (const m of batch) {
    const att = m.$att;
    if (att) attachments = attachments.length ? attachments.concat(att) : att;
  }
  return { head: batch, attachments };
}

/** A frame's messages, each message's attachments set as its `values`. */
export function unpackFrame<T = Message>(f: Frame<FrameBatch>): T[] {
  let i = 0;
  for (const m of f.head) {
    const att = m.$att;
    if (att) m.values = f.attachments.slice(i, (i += att.length));
  }
  return f.head as T[];
}
