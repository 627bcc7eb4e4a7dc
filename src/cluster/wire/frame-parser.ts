import { FrameError } from "../errors.ts";

/** Largest frame accepted: 2 GiB - 1. A bigger length prefix means the peer is not speaking our protocol. */
export const MAX_FRAME = 0x7fffffff;

/** A frame's payload as the pieces it arrived in, in order (slices of the received chunks). */
export type Frame = Buffer[];

/**
 * Incremental, pure frame parser: bytes in (any chunking), whole frames out. A frame is a 4-byte
 * big-endian length followed by that many payload bytes. Payload bytes are never copied: a frame
 * is handed out as slices of the chunks it arrived in, because a fresh buffer for a large frame
 * costs a page fault per 4 KiB on first touch, which capped peer transfers at ~0.1 GiB/s.
 */
export class FrameParser {
  private head = Buffer.alloc(4);
  private headFill = 0;
  private parts: Frame | undefined;
  private missing = 0;

  /** Feeds bytes; returns the frames completed by them (possibly none). */
  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.parts) {
        const k = Math.min(this.missing, chunk.length - off);
        this.parts.push(chunk.subarray(off, off + k));
        this.missing -= k;
        off += k;
        if (this.missing === 0) out.push(this.end());
        continue;
      }
      let len: number;
      if (this.headFill === 0 && chunk.length - off >= 4) {
        len = chunk.readUInt32BE(off);
        off += 4;
      } else {
        const k = Math.min(4 - this.headFill, chunk.length - off);
        chunk.copy(this.head, this.headFill, off, off + k);
        this.headFill += k;
        off += k;
        if (this.headFill < 4) break;
        this.headFill = 0;
        len = this.head.readUInt32BE(0);
      }
      if (len > MAX_FRAME)
        throw new FrameError(
          `frame length ${len} exceeds the ${MAX_FRAME}-byte limit; the peer is not a flowgate cluster process`,
        );
      this.parts = [];
      this.missing = len;
      if (len === 0) out.push(this.end());
    }
    return out;
  }

  private end(): Frame {
    const f = this.parts!;
    this.parts = undefined;
    return f;
  }
}

/** Reads a frame's payload front to back; a read inside one piece is a slice, not a copy. */
export class FrameReader {
  private i = 0;
  private off = 0;

  constructor(private readonly parts: Frame) {}

  take(n: number): Buffer {
    let p = this.parts[this.i];
    while (p && this.off === p.length) {
      this.off = 0;
      p = this.parts[++this.i];
    }
    if (n === 0) return Buffer.alloc(0);
    if (p && p.length - this.off >= n) {
      this.off += n;
      return p.subarray(this.off - n, this.off);
    }
    const out = Buffer.allocUnsafe(n);
    for (let filled = 0; filled < n;) {
      if (!p) throw new FrameError(`frame ends ${n - filled} bytes before its header says it does`);
      const k = Math.min(n - filled, p.length - this.off);
      p.copy(out, filled, this.off, this.off + k);
      filled += k;
      this.off += k;
      if (this.off === p.length) {
        this.off = 0;
        p = this.parts[++this.i];
      }
    }
    return out;
  }
}

/** The 4-byte length prefix of a frame of `len` bytes. */
export function frameHeader(len: number): Buffer {
  const h = Buffer.allocUnsafe(4);
  h.writeUInt32BE(len, 0);
  return h;
}
