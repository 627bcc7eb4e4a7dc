import type { GraphSpec } from "../graph/index.ts";
import { decodeValue } from "./wire/codec.ts";

/**
 * The last graph decoded per key (the scheduler's: a client; a worker's: a flow). Runs of one
 * flow mostly send the same graph bytes, and decoding them cost more than the rest of taking a
 * short run. A spec is shared by those runs: read only.
 */
export class GraphMemo<K> {
  private readonly last = new Map<K, { readonly bytes: Buffer; readonly spec: GraphSpec }>();

  /** @param max keys kept; one more and the memo starts over */
  constructor(private readonly max = 64) {}

  specOf(key: K, bytes: Uint8Array): GraphSpec {
    const hit = this.last.get(key);
    if (hit && hit.bytes.equals(bytes)) return hit.spec;
    const spec = decodeValue<GraphSpec>(bytes);
    if (this.last.size >= this.max) this.last.clear();
    // a copy: the message's bytes may be a view of a network frame
    this.last.set(key, { bytes: Buffer.from(bytes), spec });
    return spec;
  }

  forget(key: K): void {
    this.last.delete(key);
  }
}
