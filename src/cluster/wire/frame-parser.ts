import { FrameError } from "../errors.ts";

/** Largest frame accepted: 2 GiB - 1. A bigger length prefix means the peer is not speaking our protocol. */
export const MAX_FRAME = 0x7fffffff;

/**
 * A piece still to receive at least this large is read by the socket straight into its own
 * buffer (`directTarget`) rather than through the connection's read buffer: one copy (the
 * kernel's) instead of two, and one read call per socket-buffer-full rather than per 64 KiB.
 */
export const DIRECT_READ_MIN = 32 * 1024;

/** What a frame's head says once decoded: its content, and the length of each attachment after it (-1: null). */
export interface FrameHead<H> {
  readonly head: H;
  readonly attachments: readonly number[];
}

/** A received frame: its decoded head and its attachments in order (null where null was sent). */
export interface Frame<H> {
  readonly head: H;
  readonly attachments: (Buffer | null)[];
}

/** What pushDirect returns while a piece is still filling (most reads of a large value): no allocation. */
const NONE: readonly never[] = [];

const PREFIX = 0;
const HEAD = 1;
const ATTACHMENTS = 2;

/**
 * Incremental, pure frame parser: bytes in (any chunking), whole frames out. A frame is
 * `u32 length | u32 head length | head | attachments`, all lengths big-endian; the head, once
 * decoded by the caller's `decodeHead`, gives the attachments' lengths, so each attachment is
 * received into a buffer of exactly its size:
 * - a piece (head or attachment) inside one chunk is a slice of it (`push`), or a copy when the
 *   chunk is a read buffer that will be reused (`pushTransient`);
 * - a piece spanning chunks gets its own buffer, which the bytes are copied into as they come,
 *   or which the socket reads into directly (`directTarget` / `pushDirect`).
 * So a value is never assembled from pieces after the fact, and never pins more memory than its
 * own (fresh buffers cost a page fault per 4 KiB on first touch: copies are what capped peer
 * transfers).
 */
export class FrameParser<H> {
  private readonly prefix = Buffer.alloc(8);
  private prefixFill = 0;
  private stage = PREFIX;
  private frameLen = 0;
  private headLen = 0;
  private head: H | undefined;
  private lengths: readonly number[] = [];
  private attachments: (Buffer | null)[] = [];
  /** The piece spanning chunks, being filled. */
  private unit: Buffer | undefined;
  private unitFill = 0;

  /** `decodeHead` turns a frame's head bytes into its content and attachment lengths; it may throw. */
  constructor(private readonly decodeHead: (bytes: Buffer) => FrameHead<H>) {}

  /** Feeds bytes the caller will not reuse; returns the frames they complete (possibly none). */
  push(chunk: Buffer): Frame<H>[] {
    return this.feed(chunk, false);
  }

  /** Feeds bytes from a buffer the caller reuses: whatever is kept of them is copied. */
  pushTransient(chunk: Buffer): Frame<H>[] {
    return this.feed(chunk, true);
  }

  /**
   * Where the next bytes may be written directly: the unfilled rest of a piece that spans chunks,
   * when at least DIRECT_READ_MIN bytes of it are missing; else undefined.
   */
  directTarget(): Buffer | undefined {
    const u = this.unit;
    return u && u.length - this.unitFill >= DIRECT_READ_MIN ? u.subarray(this.unitFill) : undefined;
  }

  /** Accounts `n` bytes written into the buffer `directTarget()` returned; returns the frames completed. */
  pushDirect(n: number): readonly Frame<H>[] {
    const u = this.unit;
    if (!u || n > u.length - this.unitFill)
      throw new RangeError(`pushDirect(${n}) without a direct target of that many bytes`);
    this.unitFill += n;
    if (this.unitFill < u.length) return NONE;
    const out: Frame<H>[] = [];
    this.pieceDone(this.takeUnit(), out);
    return out;
  }

  private feed(chunk: Buffer, transient: boolean): Frame<H>[] {
    const out: Frame<H>[] = [];
    let off = 0;
    while (off < chunk.length) {
      const u = this.unit;
      if (u) {
        const k = Math.min(u.length - this.unitFill, chunk.length - off);
        chunk.copy(u, this.unitFill, off, off + k);
        this.unitFill += k;
        off += k;
        if (this.unitFill === u.length) this.pieceDone(this.takeUnit(), out);
        continue;
      }
      if (this.stage === PREFIX) {
        if (this.prefixFill === 0 && chunk.length - off >= 8) {
          this.startFrame(chunk.readUInt32BE(off), chunk.readUInt32BE(off + 4));
          off += 8;
        } else {
          const k = Math.min(8 - this.prefixFill, chunk.length - off);
          chunk.copy(this.prefix, this.prefixFill, off, off + k);
          this.prefixFill += k;
          off += k;
          if (this.prefixFill < 8) break;
          this.prefixFill = 0;
          this.startFrame(this.prefix.readUInt32BE(0), this.prefix.readUInt32BE(4));
        }
        continue;
      }
      const need = this.stage === HEAD ? this.headLen : this.lengths[this.attachments.length]!;
      if (chunk.length - off >= need) {
        const piece = chunk.subarray(off, off + need);
        off += need;
        this.pieceDone(transient ? Buffer.from(piece) : piece, out);
      } else {
        this.unit = Buffer.allocUnsafeSlow(need);
        this.unitFill = 0;
      }
    }
    return out;
  }

  private takeUnit(): Buffer {
    const u = this.unit!;
    this.unit = undefined;
    return u;
  }

  private startFrame(frameLen: number, headLen: number): void {
    if (frameLen > MAX_FRAME)
      throw new FrameError(
        `frame length ${frameLen} exceeds the ${MAX_FRAME}-byte limit; the peer is not a flowgate cluster process`,
      );
    if (headLen === 0 || headLen > frameLen - 4)
      throw new FrameError(
        `frame of ${frameLen} bytes announces a head of ${headLen} bytes (it must be 1 to ${frameLen - 4}); the peer is not a flowgate cluster process or the stream is corrupt`,
      );
    this.frameLen = frameLen;
    this.headLen = headLen;
    this.stage = HEAD;
  }

  private pieceDone(piece: Buffer, out: Frame<H>[]): void {
    if (this.stage === HEAD) {
      let decoded: FrameHead<H>;
      try {
        decoded = this.decodeHead(piece);
      } catch (e) {
        throw new FrameError(
          `a frame head of ${piece.length} bytes could not be decoded (${e instanceof Error ? e.message : String(e)}); the peer is not a flowgate cluster process or the stream is corrupt`,
        );
      }
      let sum = 0;
      for (const n of decoded.attachments) {
        if (!Number.isInteger(n) || n < -1)
          throw new FrameError(
            `a frame head gives the attachment length ${n}; the stream is corrupt`,
          );
        if (n > 0) sum += n;
      }
      if (sum !== this.frameLen - 4 - this.headLen)
        throw new FrameError(
          `a frame of ${this.frameLen} bytes has a ${this.headLen}-byte head and ${sum} bytes of attachments (they must add up); the stream is corrupt`,
        );
      this.head = decoded.head;
      this.lengths = decoded.attachments;
      this.attachments = [];
      this.stage = ATTACHMENTS;
    } else this.attachments.push(piece);
    // Null and empty attachments take no bytes: they are done as soon as they are reached.
    for (let n = this.lengths[this.attachments.length]; n !== undefined && n <= 0;) {
      this.attachments.push(n < 0 ? null : Buffer.alloc(0));
      n = this.lengths[this.attachments.length];
    }
    const next = this.lengths[this.attachments.length];
    if (next === undefined) {
      out.push({ head: this.head!, attachments: this.attachments });
      this.head = undefined;
      this.attachments = [];
      this.lengths = [];
      this.stage = PREFIX;
    } else if (next >= DIRECT_READ_MIN) {
      // Its buffer now, so that the socket's next read can already land in it.
      this.unit = Buffer.allocUnsafeSlow(next);
      this.unitFill = 0;
    }
  }
}

/** The 8-byte prefix of a frame whose head is `headLen` bytes and attachments `attachmentBytes`. */
export function framePrefix(headLen: number, attachmentBytes = 0): Buffer {
  const h = Buffer.allocUnsafe(8);
  h.writeUInt32BE(4 + headLen + attachmentBytes, 0);
  h.writeUInt32BE(headLen, 4);
  return h;
}
