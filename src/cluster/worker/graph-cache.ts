import type { GraphSpec } from "../../graph/index.ts";
import { decodeValue } from "../wire/codec.ts";

/** Flows whose last graph is kept; more and the cache starts over. */
const MAX_FLOWS = 64;

/**
 * The last graph a worker decoded per flow (bundle and flow name): runs of one flow mostly send
 * the same graph bytes, and decoding them (and laying out their durations, task-durations.ts)
 * was a good part of a short run's `run` message. The spec is shared by those runs: read only.
 */
export class GraphCache {
  private readonly last = new Map<string, { readonly bytes: Buffer; readonly spec: GraphSpec }>();

  decode(bundle: string, flowName: string, bytes: Buffer): GraphSpec {
    const key = `${bundle}#${flowName}`;
    const hit = this.last.get(key);
    if (hit && hit.bytes.equals(bytes)) return hit.spec;
    const spec = decodeValue<GraphSpec>(bytes);
    if (this.last.size >= MAX_FLOWS) this.last.clear();
    // a copy: the message's bytes may be a view of a network frame
    this.last.set(key, { bytes: Buffer.from(bytes), spec });
    return spec;
  }
}
