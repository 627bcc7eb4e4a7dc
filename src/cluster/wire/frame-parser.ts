import { FrameError } from "../errors.ts";

/** Largest frame accepted: 2 GiB - 1. A bigger length prefix means the peer is not speaking our protocol. */
export const MAX_FRAME = 0x7fffffff;

/**
 * Incremental, pure frame parser: bytes in (any chunking), whole frames out. A frame is a 4-byte
 * big-endian length followed by that many payload bytes. Each payload byte is copied at most once.
 */
export class FrameParser {
  private head = Buffer.alloc(4);
  private headFill = 0;
  private body: Buffer | undefined;
  private bodyFill = 0;

  /** Feeds bytes; returns the frames completed by them (possibly none). */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (!this.body) {
        // Fast path: a whole small frame inside this chunk needs no copy.
        if (this.headFill === 0 && chunk.length - off >= 4) {
          const len = chunk.readUInt32BE(off);
          this.check(len);
          if (chunk.length - off - 4 >= len) {
            out.push(chunk.subarray(off + 4, off + 4 + len));
            off += 4 + len;
            continue;
          }
          this.begin(len);
          off += 4;
          continue;
        }
        const k = Math.min(4 - this.headFill, chunk.length - off);
        chunk.copy(this.head, this.headFill, off, off + k);
        this.headFill += k;
        off += k;
        if (this.headFill < 4) break;
        const len = this.head.readUInt32BE(0);
        this.check(len);
        this.begin(len);
        if (len === 0) out.push(this.end());
        continue;
      }
      const k = Math.min(this.body.length - this.bodyFill, chunk.length - off);
      chunk.copy(this.body, this.bodyFill, off, off + k);
      this.bodyFill += k;
      off += k;
      if (this.bodyFill === this.body.length) out.push(this.end());
    }
    return out;
  }

  private check(len: number): void {
    if (len > MAX_FRAME)
      throw new FrameError(
        `frame length ${len} exceeds the ${MAX_FRAME}-byte limit; the peer is not a flowgate cluster process`,
      );
  }

  private begin(len: number): void {
    this.headFill = 0;
    this.body = Buffer.allocUnsafe(len);
    this.bodyFill = 0;
  }

  private end(): Buffer {
    const b = this.body!;
    this.body = undefined;
    this.bodyFill = 0;
    this.headFill = 0;
    return b;
  }
}

/** The 4-byte length prefix of a frame of `len` bytes. */
export function frameHeader(len: number): Buffer {
  const h = Buffer.allocUnsafe(4);
  h.writeUInt32BE(len, 0);
  return h;
}
