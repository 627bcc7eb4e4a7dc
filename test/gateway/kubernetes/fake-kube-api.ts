import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeKubelet } from "./fake-kubelet.ts";
import type { KubeObject } from "./fake-kubelet.ts";

export type { KubeObject } from "./fake-kubelet.ts";

type Kind = "pods" | "services" | "secrets";
const kinds: Record<Kind, string> = { pods: "Pod", services: "Service", secrets: "Secret" };

interface WatchEvent {
  rv: number;
  kind: Kind;
  namespace: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
}

interface Watcher {
  kind: Kind;
  namespace: string | undefined;
  selector: string | undefined;
  res: ServerResponse;
}

export interface FakeKubeApiOptions {
  /** Images the fake "cannot pull": their pods wait with ErrImagePull. @default names containing "does-not-exist" */
  unpullable?: (image: string) => boolean;
}

/** Matches `a=b,c!=d,e` label selectors (equality, inequality, existence). */
function matches(selector: string | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const ne = term.split("!=");
    if (ne.length === 2) return labels[ne[0]!.trim()] !== ne[1]!.trim();
    const eq = term.split(/==?/);
    if (eq.length === 2) return labels[eq[0]!.trim()] === eq[1]!.trim();
    return term.trim() in labels;
  });
}

/**
 * An in-process stand-in for the Kubernetes API server: create/get/list/delete/watch of pods,
 * services and secrets in any namespace, the pod log endpoint, bearer-token auth, graceful
 * pod deletion and background cascade deletion through ownerReferences. Pods really run, as
 * local processes (see FakeKubelet). Test hooks: `killPod` (the node kills a container),
 * `dropWatches` (the server closes every watch stream), `requests` (every request line).
 */
export class FakeKubeApi {
  readonly token = randomBytes(16).toString("hex");
  readonly requests: string[] = [];
  readonly #objects = new Map<string, KubeObject>();
  readonly #events: WatchEvent[] = [];
  readonly #watchers = new Set<Watcher>();
  readonly #root = mkdtempSync(join(tmpdir(), "fake-kube-"));
  readonly #kubelet: FakeKubelet;
  #rv = 1;
  #server!: Server;
  url = "";

  private constructor(opts: FakeKubeApiOptions) {
    const unpullable = opts.unpullable ?? ((image: string) => image.includes("does-not-exist"));
    this.#kubelet = new FakeKubelet(this.#root, {
      secret: (ns, name) => this.#objects.get(`secrets/${ns}/${name}`),
      setStatus: (ns, name, status) => {
        const pod = this.#objects.get(`pods/${ns}/${name}`);
        if (pod) this.#emit("pods", "MODIFIED", { ...pod, status: { ...pod.status, ...status } });
      },
      unpullable,
    });
  }

  static async start(opts: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    const api = new FakeKubeApi(opts);
    api.#server = createServer((req, res) => {
      api.#handle(req, res).catch((e: Error) => api.#status(res, 500, "InternalError", e.message));
    });
    await new Promise<void>((resolve) => api.#server.listen(0, "127.0.0.1", resolve));
    api.url = `http://127.0.0.1:${(api.#server.address() as AddressInfo).port}`;
    return api;
  }

  /** Writes a kubeconfig (http, bearer token, default namespace `namespace`) and returns its path. */
  writeKubeconfig(dir: string, namespace = "default"): string {
    const path = join(dir, "kubeconfig.yaml");
    const config = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "fake", cluster: { server: this.url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "fake", user: { token: this.token } }],
      contexts: [{ name: "fake", context: { cluster: "fake", user: "fake", namespace } }],
      "current-context": "fake",
    };
    writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
    return path;
  }

  /** Objects of a kind, in all namespaces. */
  list(kind: Kind): KubeObject[] {
    return [...this.#objects.entries()]
      .filter(([k]) => k.startsWith(`${kind}/`))
      .map(([, o]) => structuredClone(o));
  }

  get(kind: Kind, namespace: string, name: string): KubeObject | undefined {
    const o = this.#objects.get(`${kind}/${namespace}/${name}`);
    return o && structuredClone(o);
  }

  /** Pids of pod processes that still run. */
  pids(): number[] {
    return this.#kubelet.pids();
  }

  /** Kills a pod's process as the node would, e.g. reason "OOMKilled" (exit 137). */
  killPod(namespace: string, name: string, reason = "OOMKilled"): boolean {
    return this.#kubelet.kill(namespace, name, reason);
  }

  /** Ends every open watch stream, as an API server does on restart or timeout. */
  dropWatches(): void {
    for (const w of this.#watchers) w.res.end();
    this.#watchers.clear();
  }

  async close(): Promise<void> {
    this.dropWatches();
    await this.#kubelet.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.#root, { recursive: true, force: true });
  }

  #emit(kind: Kind, type: WatchEvent["type"], object: KubeObject): void {
    const ns = object.metadata.namespace!;
    const key = `${kind}/${ns}/${object.metadata.name}`;
    const rv = ++this.#rv;
    object.metadata.resourceVersion = String(rv);
    if (type === "DELETED") this.#objects.delete(key);
    else this.#objects.set(key, object);
    const ev: WatchEvent = { rv, kind, namespace: ns, type, object: structuredClone(object) };
    this.#events.push(ev);
    for (const w of this.#watchers) this.#send(w, ev);
  }

  #send(w: Watcher, ev: WatchEvent): void {
    if (
      w.kind !== ev.kind ||
      (w.namespace && w.namespace !== ev.namespace) ||
      !matches(w.selector, ev.object.metadata.labels)
    )
      return;
    w.res.write(JSON.stringify({ type: ev.type, object: ev.object }) + "\n");
  }

  #status(res: ServerResponse, code: number, reason: string, message: string): void {
    if (res.headersSent) return void res.end();
    res.writeHead(code, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message,
        reason,
        code,
      }),
    );
  }

  #json(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  async #body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return this.#status(res, 401, "Unauthorized", "Unauthorized");
    const q = url.searchParams;
    let m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (m && req.method === "GET") return this.#log(res, m[1]!, m[2]!, q);
    m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?(pods|services|secrets)(?:\/([^/]+))?$/.exec(
      url.pathname,
    );
    if (!m)
      return this.#status(
        res,
        404,
        "NotFound",
        `the fake API server does not serve ${req.method} ${url.pathname}`,
      );
    const [, ns, kind, name] = m as unknown as [
      string,
      string | undefined,
      Kind,
      string | undefined,
    ];
    const key = `${kind}/${ns}/${name}`;
    if (!name && req.method === "GET") {
      if (q.get("watch") === "true" || q.get("watch") === "1")
        return this.#watch(req, res, kind, ns, q);
      const items = this.list(kind).filter(
        (o) =>
          (!ns || o.metadata.namespace === ns) &&
          matches(q.get("labelSelector") ?? undefined, o.metadata.labels),
      );
      return this.#json(res, 200, {
        apiVersion: "v1",
        kind: `${kinds[kind]}List`,
        metadata: { resourceVersion: String(this.#rv) },
        items,
      });
    }
    if (!name && req.method === "POST" && ns)
      return this.#create(res, kind, ns, await this.#body(req));
    if (name && ns && req.method === "GET") {
      const o = this.#objects.get(key);
      return o
        ? this.#json(res, 200, o)
        : this.#status(res, 404, "NotFound", `${kind} "${name}" not found`);
    }
    if (name && ns && req.method === "DELETE") {
      const body = await this.#body(req);
      const grace = q.get("gracePeriodSeconds") ?? (body.gracePeriodSeconds as number | undefined);
      const o = this.#objects.get(key);
      if (!o) return this.#status(res, 404, "NotFound", `${kind} "${name}" not found`);
      this.#delete(kind, o, grace === undefined ? undefined : Number(grace));
      return this.#json(res, 200, this.#objects.get(key) ?? o);
    }
    return this.#status(
      res,
      405,
      "MethodNotAllowed",
      `${req.method} ${url.pathname} is not supported by the fake`,
    );
  }

  #create(res: ServerResponse, kind: Kind, ns: string, obj: Record<string, unknown>): void {
    const o = obj as unknown as KubeObject;
    const name = o.metadata?.name;
    if (!name)
      return this.#status(res, 422, "Invalid", `${kinds[kind]} "": metadata.name: Required value`);
    if (this.#objects.has(`${kind}/${ns}/${name}`))
      return this.#status(res, 409, "AlreadyExists", `${kind} "${name}" already exists`);
    o.apiVersion = "v1";
    o.kind = kinds[kind];
    o.metadata = {
      ...o.metadata,
      namespace: ns,
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString(),
    };
    if (kind === "pods")
      o.status = { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }] };
    this.#emit(kind, "ADDED", o);
    if (kind === "pods") this.#kubelet.start(structuredClone(o));
    this.#json(res, 201, o);
  }

  /** Graceful for running pods (MODIFIED with deletionTimestamp, SIGTERM, then DELETED); immediate otherwise. */
  #delete(kind: Kind, o: KubeObject, graceSeconds: number | undefined): void {
    const ns = o.metadata.namespace!;
    const name = o.metadata.name;
    if (kind === "pods" && this.#kubelet.running(ns, name)) {
      if (o.metadata.deletionTimestamp) return;
      const grace = graceSeconds ?? o.spec?.terminationGracePeriodSeconds ?? 30;
      this.#emit("pods", "MODIFIED", {
        ...o,
        metadata: {
          ...o.metadata,
          deletionTimestamp: new Date().toISOString(),
          deletionGracePeriodSeconds: grace,
        },
      });
      void this.#kubelet.stop(ns, name, grace).then(() => this.#remove(kind, ns, name));
      return;
    }
    if (kind === "pods") void this.#kubelet.stop(ns, name, 0);
    this.#remove(kind, ns, name);
  }

  #remove(kind: Kind, ns: string, name: string): void {
    const o = this.#objects.get(`${kind}/${ns}/${name}`);
    if (!o) return;
    this.#emit(kind, "DELETED", structuredClone(o));
    if (kind === "pods") this.#kubelet.forget(ns, name);
    // Background cascade: dependents go once their owner is gone.
    for (const [k, dep] of [...this.#objects.entries()]) {
      if (
        dep.metadata.namespace !== ns ||
        !dep.metadata.ownerReferences?.some((r) => r.uid === o.metadata.uid)
      )
        continue;
      this.#delete(k.split("/")[0] as Kind, dep, undefined);
    }
  }

  #watch(
    req: IncomingMessage,
    res: ServerResponse,
    kind: Kind,
    ns: string | undefined,
    q: URLSearchParams,
  ): void {
    const w: Watcher = { kind, namespace: ns, selector: q.get("labelSelector") ?? undefined, res };
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    res.flushHeaders();
    const from = Number(q.get("resourceVersion") ?? "0");
    if (from > 0) {
      for (const ev of this.#events) if (ev.rv > from) this.#send(w, ev);
    } else {
      for (const o of this.list(kind)) {
        if (!ns || o.metadata.namespace === ns)
          this.#send(w, {
            rv: 0,
            kind,
            namespace: o.metadata.namespace!,
            type: "ADDED",
            object: o,
          });
      }
    }
    this.#watchers.add(w);
    req.on("close", () => this.#watchers.delete(w));
  }

  #log(res: ServerResponse, ns: string, name: string, q: URLSearchParams): void {
    if (!this.#objects.has(`pods/${ns}/${name}`))
      return this.#status(res, 404, "NotFound", `pods "${name}" not found`);
    let text = this.#kubelet.log(ns, name) ?? "";
    const tail = q.get("tailLines");
    if (tail !== null) {
      const lines = text.split("\n");
      const last = lines.at(-1) === "" ? lines.pop() : undefined;
      text = lines.slice(-Number(tail)).join("\n") + (last === "" ? "\n" : "");
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(text);
  }
}
