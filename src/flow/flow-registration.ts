/** A container image that holds the flow's file: the storage for container backends. */
export interface ImageStorage {
  readonly type: "image";
  /** The image name, e.g. `registry.example.com/flows:1.4`. */
  readonly image: string;
  /** The flow file's absolute path inside the image. */
  readonly path: string;
}

/**
 * Storage for `flow.register()`: the flow's file lives in `image` at `path` (an agent running
 * inside that image loads it from there). Without it a flow is stored as its bundle.
 */
export function Image(image: string, path: string): ImageStorage {
  return { type: "image", image, path };
}

/** A schedule clock: every `every` seconds, or a cron expression in a time zone. */
export type ScheduleClock = (
  | { readonly type: "interval"; readonly every: number; readonly start?: number }
  | { readonly type: "cron"; readonly cron: string; readonly timezone?: string }
) & {
  /** Parameter defaults for the runs this clock creates. */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Labels for the runs this clock creates (instead of the flow's). */
  readonly labels?: readonly string[];
};

export interface FlowRegisterOptions {
  /** The server's address, http[s]://host:port. */
  readonly server: string;
  /** Credentials (BasicAuth, TokenAuth). @default from FLOWGATE_GATEWAY_USER/PASSWORD/TOKEN */
  readonly auth?: { authorization(): string; describe(): string };
  /** @default "default" */
  readonly project?: string;
  /** Labels a run of this flow needs on its agent (added to the environment's labels). */
  readonly labels?: readonly string[];
  /** @default the flow's content-hashed bundle */
  readonly storage?: ImageStorage;
  /** Replaces the flow's schedule. */
  readonly schedule?: { readonly clocks: readonly ScheduleClock[]; readonly active?: boolean };
}

/** What `flow.register()` resolves to. */
export interface FlowRegistration {
  readonly flowId: number;
  readonly version: number;
  /** False when nothing changed (same bundle hash): the version is the one already stored. */
  readonly created: boolean;
  /** The bundle's sha256 (or, for image storage, the server's hash of image and path). */
  readonly hash: string;
}
