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

/** Serializes a user value; throws DataCloneError for functions and other non-cloneable values. */
export function encodeValue(value: unknown): Buffer {
  return serialize(value);
}

export function decodeValue<T = unknown>(bytes: Uint8Array): T {
  return deserialize(bytes) as T;
}
