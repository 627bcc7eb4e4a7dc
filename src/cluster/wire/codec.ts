import { deserialize, serialize } from "node:v8";
// "msgpackr/pack" is the same Packr without probing for the optional native addon, which costs
// ~80 ms of process start-up; the JS decoder is as fast for our message sizes.
import { Packr } from "msgpackr/pack";

/**
 * Two codecs, chosen by measurement (see the cluster section of the README):
 * - protocol messages (task batches, states, logs) use msgpackr: on a 1,000-task batch it
 *   encodes 4x and decodes 5x faster than V8's serializer, and 1.4x smaller;
 * - user values (parameters, constants, task arguments and results) use V8's structured-clone
 *   serializer, the only one that round-trips every value a task may pass (Map, Set, Date,
 *   BigInt, typed arrays, Buffer, cycles) and rejects functions. They travel inside messages as
 *   opaque byte strings, so the scheduler never decodes a result.
 */
const packr = new Packr({ useRecords: false, moreTypes: true });

export function encodeMessage(value: unknown): Buffer {
  return packr.pack(value);
}

export function decodeMessage<T = unknown>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}

/** The serializer's header (0xFF, format version), as this Node writes it. */
const HEADER = serialize(null).subarray(0, 2);
/** The largest integer this V8 writes as a Smi (31 or 32 bits, by build), plus one. */
const SMI_END = serialize(2 ** 30)[2] === 0x49 ? 2 ** 31 : 2 ** 30;

/**
 * Serializes a user value; throws DataCloneError for functions and other non-cloneable values.
 * Numbers, booleans, null, undefined and short Latin-1 strings are written here in V8's own
 * format (what `serialize` would write), because making a serializer costs more than a no-op
 * task: most map children return such values.
 */
export function encodeValue(value: unknown): Buffer {
  return encodeSmall(value) ?? serialize(value);
}

function encodeSmall(value: unknown): Buffer | undefined {
  switch (typeof value) {
    case "number": {
      // Small integers are Smis (zigzag varint); other numbers doubles. -0 stays a double.
      if (
        Number.isInteger(value) &&
        value >= -SMI_END &&
        value < SMI_END &&
        !Object.is(value, -0)
      ) {
        const z = value >= 0 ? value * 2 : -value * 2 - 1;
        const b = Buffer.allocUnsafe(3 + varintLength(z));
        b[0] = HEADER[0]!;
        b[1] = HEADER[1]!;
        b[2] = 0x49; // 'I'
        writeVarint(b, 3, z);
        return b;
      }
      const b = Buffer.allocUnsafe(11);
      b[0] = HEADER[0]!;
      b[1] = HEADER[1]!;
      b[2] = 0x4e; // 'N'
      b.writeDoubleLE(value, 3);
      return b;
    }
    case "boolean":
      return Buffer.from([HEADER[0]!, HEADER[1]!, value ? 0x54 : 0x46]); // 'T' / 'F'
    case "undefined":
      return Buffer.from([HEADER[0]!, HEADER[1]!, 0x5f]); // '_'
    case "string": {
      if (value.length > 64) return undefined;
      for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return undefined;
      const b = Buffer.allocUnsafe(3 + varintLength(value.length) + value.length);
      b[0] = HEADER[0]!;
      b[1] = HEADER[1]!;
      b[2] = 0x22; // '"', a one-byte string
      const at = writeVarint(b, 3, value.length);
      b.write(value, at, "latin1");
      return b;
    }
    case "object":
      if (value === null) return Buffer.from([HEADER[0]!, HEADER[1]!, 0x30]); // '0'
      // {} (the parameters of a flow that has none): 'o', no properties, '{' with a count of 0
      if (Object.getPrototypeOf(value) === Object.prototype && isEmpty(value))
        return Buffer.from([HEADER[0]!, HEADER[1]!, 0x6f, 0x7b, 0x00]);
      return undefined;
    default:
      return undefined;
  }
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

function varintLength(x: number): number {
  let n = 1;
  while (x >= 0x80) {
    x = Math.floor(x / 128);
    n++;
  }
  return n;
}

function writeVarint(b: Buffer, at: number, x: number): number {
  while (x >= 0x80) {
    b[at++] = (x & 0x7f) | 0x80;
    x = Math.floor(x / 128);
  }
  b[at++] = x;
  return at;
}

/**
 * Deserializes a user value. The small forms encodeValue writes itself (and V8 writes the same
 * way) are read here without a deserializer, which costs more than a no-op task: a reduce over
 * a map decodes one per child.
 */
export function decodeValue<T = unknown>(bytes: Uint8Array): T {
  const small = decodeSmall(bytes);
  return (small === NOT_SMALL ? deserialize(bytes) : small) as T;
}

const NOT_SMALL = Symbol("not small");

function decodeSmall(b: Uint8Array): unknown {
  const n = b.length;
  if (n < 3 || n > 80 || b[0] !== HEADER[0] || b[1] !== HEADER[1]) return NOT_SMALL;
  switch (b[2]) {
    case 0x49: {
      // 'I': zigzag varint Smi, which must end exactly at the end of the bytes
      let z = 0;
      let scale = 1;
      let i = 3;
      for (; i < n && i < 9; i++) {
        const x = b[i]!;
        z += (x & 0x7f) * scale;
        scale *= 128;
        if (x < 0x80) break;
      }
      if (i !== n - 1) return NOT_SMALL;
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    case 0x4e: // 'N'
      return n === 11 ? Buffer.from(b.buffer, b.byteOffset, n).readDoubleLE(3) : NOT_SMALL;
    case 0x54: // 'T'
      return n === 3 ? true : NOT_SMALL;
    case 0x46: // 'F'
      return n === 3 ? false : NOT_SMALL;
    case 0x5f: // '_'
      return n === 3 ? undefined : NOT_SMALL;
    case 0x30: // '0'
      return n === 3 ? null : NOT_SMALL;
    case 0x6f: // 'o': only the empty object, '{' with a count of 0
      return n === 5 && b[3] === 0x7b && b[4] === 0 ? {} : NOT_SMALL;
    case 0x22: {
      // '"': a one-byte (Latin-1) string of a varint length
      const len = b[3]!;
      if (n < 4 || len >= 0x80 || n !== 4 + len) return NOT_SMALL;
      return Buffer.from(b.buffer, b.byteOffset, n).toString("latin1", 4, n);
    }
    default:
      return NOT_SMALL;
  }
}
