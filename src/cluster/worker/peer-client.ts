import type { ClusterSecurity } from "../security.ts";
import type { Connection } from "../wire/connection.ts";
import { dial } from "../wire/dial.ts";

/**
 * Fetches results from other workers, one connection per peer, many keys per request.
 * A request to a peer that is gone resolves with nulls, which the worker reports as missing.
 */
export class PeerClient {
  private readonly conns = new Map<string, Promise<Connection>>();
  private readonly pending = new Map<
    number,
    { resolve: (v: (Buffer | null)[]) => void; n: number; address: string }
  >();
  private nextId = 1;

  constructor(private readonly security: ClusterSecurity | undefined) {}

  fetch(address: string, run: number, keys: string[]): Promise<(Buffer | null)[]> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, n: keys.length, address });
      this.connection(address).then(
        (c) => (c.closed ? this.fail(address) : c.send({ t: "get", id, run, keys })),
        () => this.fail(address),
      );
    });
  }

  private connection(address: string): Promise<Connection> {
    let p = this.conns.get(address);
    if (!p) {
      p = dial(address, this.security, 5000).then((c) => {
        c.onMessage = (m) => {
          const r = this.pending.get(m.id as number);
          if (!r) return;
          this.pending.delete(m.id as number);
          r.resolve(m.values as (Buffer | null)[]);
        };
        c.onClose = () => {
          this.conns.delete(address);
          this.fail(address);
        };
        return c;
      });
      p.catch(() => this.conns.delete(address));
      this.conns.set(address, p);
    }
    return p;
  }

  private fail(address: string): void {
    for (const [id, r] of this.pending)
      if (r.address === address) {
        this.pending.delete(id);
        r.resolve(new Array(r.n).fill(null));
      }
  }

  close(): void {
    for (const p of this.conns.values())
      p.then(
        (c) => c.close(),
        () => {},
      );
  }
}
