/**
 * Per-cluster credentials (CONTRACTS.md): one self-signed certificate that is also the CA.
 * Scheduler, workers and clients all present it and verify that the peer chains to the CA.
 */
export interface ClusterSecurity {
  /** PEM certificate presented to the peer. */
  readonly tlsCert: string;
  /** PEM private key of tlsCert. */
  readonly tlsKey: string;
  /** PEM CA that peers must chain to. @default tlsCert */
  readonly tlsCa?: string;
  /** Extra headers sent on a ws:// or wss:// upgrade request (gateway auth). */
  readonly headers?: Readonly<Record<string, string>>;
}
