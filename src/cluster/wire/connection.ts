import type { Duplex } from "node:stream";
import { decodeMessage, encodeMessage } from "./codec.ts";
import { FrameParser } from "./frame-parser.ts";

export type Message = { readonly t: string } & Record<string, unknown>;

/**
 * A framed message channel over any byte stream (TCP, TLS, a WebSocket tunnel). Sends made in
 * one synchronous run (handling a frame, a timer, a thread's message) are coalesced into one
 * frame, written at the next microtask checkpoint rather than a whole turn later; `flush()`
 * sends at once.
 *
 * Frame payload: u32 header length, the msgpack header (an array of messages), then raw
 * attachments. `sendBulk` moves a message's byte values out of the header into attachments, so
 * that megabyte results are written with writev and received as slices, never re-encoded.
 */
export class Connection {
  private outbox: unknown[] = [];
  private scheduled = false;
  private readonly parser = new FrameParser();
  private closedFlag = false;
  /** Remote peer name, set by whoever handshakes. */
  peer = "";
  onMessage: (msg: Message) => void = () => {};
  onClose: (reason: string) => void = () => {};

  constructor(readonly stream: Duplex) {
    stream.on("data", (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = this.parser.push(chunk);
      } catch (e) {
        return this.close(e instanceof Error ? e.message : String(e));
      }
      for (const f of frames) {
        for (const m of unpackFrame(f)) {
          if (this.closedFlag) return;
          this.onMessage(m);
        }
      }
    });
    stream.on("error", (e) => this.close(e.message));
    stream.on("close", () => this.close("connection closed"));
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  send(msg: Message): void {
    if (this.closedFlag) return;
    this.outbox.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Sends `msg` with `values` (byte strings or null) as raw attachments, after anything queued. */
  sendBulk(msg: Message, values: readonly (Uint8Array | null)[]): void {
    if (this.closedFlag) return;
    this.flush();
    const header = encodeMessage([{ ...msg, $att: values.map((v) => (v ? v.length : -1)) }]);
    let total = 4 + header.length;
    for (const v of values) if (v) total += v.length;
    // Frame length, header length and header in one buffer: one write, so one TLS record.
    const head = Buffer.allocUnsafe(8 + header.length);
    head.writeUInt32BE(total, 0);
    head.writeUInt32BE(header.length, 4);
    header.copy(head, 8);
    this.stream.cork();
    this.stream.write(head);
    // Large values are written as they are (no copy); runs of small ones are joined first,
    // because one write call per tiny result costs far more than copying it.
    let small: Uint8Array[] = [];
    const flushSmall = () => {
      if (small.length) this.stream.write(small.length === 1 ? small[0]! : Buffer.concat(small));
      small = [];
    };
    for (const v of values) {
      if (!v || v.length === 0) continue;
      if (v.length >= 65536) {
        flushSmall();
        this.stream.write(v);
      } else small.push(v);
    }
    flushSmall();
    this.stream.uncork();
  }

  /** Writes every queued message now, as one frame. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.outbox.length === 0 || this.closedFlag) return;
    const header = encodeMessage(this.outbox);
    this.outbox = [];
    // One buffer, one write: a frame written in two pieces costs two TLS records and writev entries.
    const frame = Buffer.allocUnsafe(8 + header.length);
    frame.writeUInt32BE(header.length + 4, 0);
    frame.writeUInt32BE(header.length, 4);
    header.copy(frame, 8);
    this.stream.write(frame);
  };

  close(reason = "closed"): void {
    if (this.closedFlag) return;
    this.flush();
    this.closedFlag = true;
    this.stream.end();
    setTimeout(() => this.stream.destroy(), 1000).unref();
    this.onClose(reason);
  }
}

/** Splits a frame payload into its messages, turning attachments back into `values`. */
export function unpackFrame(f: Buffer): Message[] {
  const hlen = f.readUInt32BE(0);
  const batch = decodeMessage<Message[]>(f.subarray(4, 4 + hlen));
  let off = 4 + hlen;
  for (const m of batch) {
    const att = m.$att as number[] | undefined;
    if (!att) continue;
    (m as Record<string, unknown>).values = att.map((len) => {
      if (len < 0) return null;
      const v = f.subarray(off, off + len);
      off += len;
      return v;
    });
  }
  return batch;
}
