import { request } from "node:http";
import { ContainerEngineError } from "./errors.ts";

/** A container as the engine's list call returns it. */
export interface ContainerSummary {
  Id: string;
  Names?: string[];
  State: string;
  Status?: string;
  Labels: Record<string, string> | null;
}

/** The parts of an inspect answer flowgate reads. */
export interface ContainerState {
  Status: string;
  Running: boolean;
  ExitCode: number;
  Error?: string;
  OOMKilled?: boolean;
}

interface Reply {
  status: number;
  body: Buffer;
}

/**
 * A small Docker Engine API client over a unix socket (node:http with socketPath), enough for
 * the container backend: create, archive upload, start, stop, kill, remove, inspect, list by
 * label, logs and image pull. Works against a Docker daemon and podman's compatible service.
 */
export class EngineClient {
  constructor(
    private readonly socketPath: string,
    private readonly apiVersion: string,
  ) {}

  #call(
    method: string,
    path: string,
    body?: Buffer | object,
    contentType = "application/json",
  ): Promise<Reply> {
    const data =
      body === undefined
        ? undefined
        : Buffer.isBuffer(body)
          ? body
          : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path: `/${this.apiVersion}${path}`,
          headers: {
            Host: "docker",
            ...(data ? { "Content-Type": contentType, "Content-Length": data.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", (e) =>
        reject(
          new ContainerEngineError(
            `${method} ${path}`,
            0,
            `cannot reach ${this.socketPath} (${e.message}); is the engine running?`,
            { cause: e },
          ),
        ),
      );
      req.end(data);
    });
  }

  /** Calls the API; throws ContainerEngineError on a status not in `ok`. */
  async #ok(
    op: string,
    method: string,
    path: string,
    ok: number[],
    body?: Buffer | object,
    contentType?: string,
  ): Promise<Reply> {
    const r = await this.#call(method, path, body, contentType);
    if (!ok.includes(r.status)) throw new ContainerEngineError(op, r.status, messageOf(r.body));
    return r;
  }

  async ping(): Promise<void> {
    await this.#ok("ping", "GET", "/_ping", [200]);
  }

  /** Creates a container; returns its id. */
  async create(name: string, spec: object): Promise<string> {
    const r = await this.#ok(
      `create container ${name}`,
      "POST",
      `/containers/create?name=${encodeURIComponent(name)}`,
      [201],
      spec,
    );
    return (JSON.parse(r.body.toString()) as { Id: string }).Id;
  }

  /** Extracts a tar archive into the container at `path` (works before start). */
  async putArchive(id: string, path: string, tar: Buffer): Promise<void> {
    await this.#ok(
      `copy files into container ${id.slice(0, 12)}`,
      "PUT",
      `/containers/${id}/archive?path=${encodeURIComponent(path)}`,
      [200],
      tar,
      "application/x-tar",
    );
  }

  async start(id: string): Promise<void> {
    await this.#ok(
      `start container ${id.slice(0, 12)}`,
      "POST",
      `/containers/${id}/start`,
      [204, 304],
    );
  }

  /** SIGTERM, then SIGKILL after `graceSeconds`; a no-op when already stopped or gone. */
  async stop(id: string, graceSeconds: number): Promise<void> {
    await this.#ok(
      `stop container ${id.slice(0, 12)}`,
      "POST",
      `/containers/${id}/stop?t=${graceSeconds}`,
      [204, 304, 404],
    );
  }

  async kill(id: string, signal = "KILL"): Promise<void> {
    await this.#ok(
      `kill container ${id.slice(0, 12)}`,
      "POST",
      `/containers/${id}/kill?signal=${signal}`,
      [204, 404, 409],
    );
  }

  /** Force-removes a container and its anonymous volumes; a no-op when gone. */
  async remove(id: string): Promise<void> {
    await this.#ok(
      `remove container ${id.slice(0, 12)}`,
      "DELETE",
      `/containers/${encodeURIComponent(id)}?force=1&v=1`,
      [200, 204, 404],
    );
  }

  /** The container's state, or undefined when it does not exist. */
  async inspect(id: string): Promise<ContainerState | undefined> {
    const r = await this.#ok(
      `inspect container ${id.slice(0, 12)}`,
      "GET",
      `/containers/${id}/json`,
      [200, 404],
    );
    if (r.status === 404) return undefined;
    return (JSON.parse(r.body.toString()) as { State: ContainerState }).State;
  }

  /** Every container (running or not) carrying all these labels ("key=value"). */
  async list(labels: string[]): Promise<ContainerSummary[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: labels }));
    const r = await this.#ok(
      "list containers",
      "GET",
      `/containers/json?all=1&filters=${filters}`,
      [200],
    );
    return JSON.parse(r.body.toString()) as ContainerSummary[];
  }

  /** stdout and stderr of a container, in order; "" when it does not exist. */
  async logs(id: string): Promise<string> {
    const r = await this.#ok(
      `logs of container ${id.slice(0, 12)}`,
      "GET",
      `/containers/${id}/logs?stdout=1&stderr=1`,
      [200, 404],
    );
    return r.status === 404 ? "" : demux(r.body);
  }

  /** Pulls an image; throws with the engine's reason when the pull fails. */
  async pull(image: string): Promise<void> {
    const r = await this.#ok(
      `pull image ${image}`,
      "POST",
      `/images/create?fromImage=${encodeURIComponent(image)}`,
      [200],
    );
    // Progress is streamed as JSON lines; a failure can arrive inside a 200.
    for (const line of r.body.toString().split("\n")) {
      try {
        const m = JSON.parse(line) as { error?: string };
        if (m.error) throw new ContainerEngineError(`pull image ${image}`, r.status, m.error);
      } catch (e) {
        if (e instanceof ContainerEngineError) throw e;
      }
    }
  }
}

function messageOf(body: Buffer): string {
  const text = body.toString().trim();
  try {
    const m = JSON.parse(text) as { message?: string };
    return m.message ?? text;
  } catch {
    return text || "no message";
  }
}

/** Decodes the engine's multiplexed log stream (8-byte frame headers) when Tty is off. */
export function demux(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i]!;
    if (kind > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) return buf.toString(); // not multiplexed
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString();
}
