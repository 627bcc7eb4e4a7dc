import type { GraphSpec } from "../../graph/index.ts";
import { decodeValue } from "../wire/codec.ts";

/**
 * Each client's last submitted graph, decoded. A client that runs the same flow again (one
 * without parameters, or with the same values) sends the same bytes, and decoding them cost
 * more than the rest of taking its submit. Specs are never changed after decoding.
 */
export class GraphMemo {
  private readonly last = new Map<number, { bytes: Uint8Array; spec: GraphSpec }>();

  specOf(client: number, bytes: Uint8Array): GraphSpec {
    const known = this.last.get(client);
    if (known && Buffer.compare(known.bytes, bytes) === 0) return known.spec;
    const spec = decodeValue<GraphSpec>(bytes);
    this.last.set(client, { bytes, spec });
    return spec;
  }

  forget(client: number): void {
    this.last.delete(client);
  }
}
