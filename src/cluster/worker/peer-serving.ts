import type { Duplex } from "node:stream";
import type { PeerAnswer, PeerRequest } from "../messages.ts";
import { Connection } from "../wire/connection.ts";
import type { ResultStore } from "./result-store.ts";

/** A peer connection as its serving side sees it (the answer's values travel as attachments). */
export type PeerServing = Connection<PeerRequest, Omit<PeerAnswer, "values">>;

/**
 * Serves other workers' `get` requests on an accepted peer connection from `store`: each answer
 * carries the stored buffers themselves as attachments (Connection.sendBulk writes large ones as
 * they are, never copied), null for a key this worker no longer holds.
 */
export function servePeer(stream: Duplex, store: ResultStore): PeerServing {
  const c: PeerServing = new Connection(stream);
  c.onMessage = (m) => {
    if (m.t === "get")
      c.sendBulk(
        { t: "data", id: m.id },
        m.keys.map((k) => store.getKey(m.run, k) ?? null),
      );
  };
  return c;
}
