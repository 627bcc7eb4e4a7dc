import type { GatewayAuth } from "../../gateway/client/index.ts";
import type * as A from "../api/index.ts";
import { ServerRequestError, ServerUnreachableError } from "../errors.ts";
import { readSse } from "./sse-reader.ts";

/** Where the server is and who we are. */
export interface ServerClientOptions {
  /** http[s]://host:port of `flowgate server` (a trailing /api is accepted). */
  address: string;
  /** the same credentials as for the gateway (BasicAuth, TokenAuth) */
  auth?: GatewayAuth;
  /** per-request timeout, ms (long polls add their wait) @default 30000 */
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

/**
 * A typed REST client of the flowgate server (used by agents, the CLI and `flow.register()`).
 * Every method throws ServerRequestError (with the HTTP status and the server's message) for an
 * error answer and ServerUnreachableError when nothing answers.
 */
export class ServerClient {
  readonly address: string;
  readonly #auth: GatewayAuth | undefined;
  readonly #timeoutMs: number;

  constructor(o: ServerClientOptions) {
    this.address = o.address.replace(/\/+$/, "").replace(/\/api$/, "");
    this.#auth = o.auth;
    this.#timeoutMs = o.timeoutMs ?? 30_000;
  }

  async #request<T>(
    method: string,
    path: string,
    o: {
      body?: unknown;
      raw?: Uint8Array;
      query?: Query;
      waitMs?: number;
      signal?: AbortSignal;
      /** return the response unread (bundles) */
      unread?: boolean;
    } = {},
  ): Promise<{ status: number; body: T; response: Response }> {
    const qs = o.query
      ? Object.entries(o.query)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join("&")
      : "";
    const url = `${this.address}/api${path}${qs ? `?${qs}` : ""}`;
    const headers: Record<string, string> = {};
    if (this.#auth) headers.authorization = this.#auth.authorization();
    let body: string | Blob | undefined;
    if (o.raw) {
      headers["content-type"] = "application/octet-stream";
      body = new Blob([o.raw as Uint8Array<ArrayBuffer>]);
    } else if (o.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(o.body);
    }
    const timeout = AbortSignal.timeout(this.#timeoutMs + (o.waitMs ?? 0));
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal });
    } catch (e) {
      if (o.signal?.aborted) throw e;
      throw new ServerUnreachableError(this.address, { cause: e });
    }
    if (o.unread && response.ok) return { status: response.status, body: undefined as T, response };
    const text = await response.text();
    if (response.status >= 400) {
      let message = text.slice(0, 2000);
      try {
        message = (JSON.parse(text) as A.ErrorBody).error ?? message;
      } catch {
        /* not JSON: keep the text */
      }
      throw new ServerRequestError(response.status, method, path, message);
    }
    const parsed =
      text && response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
    return { status: response.status, body: parsed as T, response };
  }

  async #json<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    return (await this.#request<T>(method, path, { body, query })).body;
  }

  // --- server ---
  health = () => this.#json<{ status: "pass" }>("GET", "/health");
  version = () => this.#json<A.Version>("GET", "/version");
  me = () => this.#json<A.Me>("GET", "/me");

  // --- bundles & flows ---
  /** Uploads a bundle (content-addressed by the sha256 hex of `bytes`). */
  async putBundle(hash: string, bytes: Uint8Array): Promise<A.BundleStored> {
    return (await this.#request<A.BundleStored>("PUT", `/bundles/${hash}`, { raw: bytes })).body;
  }
  /** Whether the server already holds the bundle (skip the upload). */
  async hasBundle(hash: string): Promise<boolean> {
    try {
      await this.#request("HEAD", `/bundles/${hash}`);
      return true;
    } catch (e) {
      if (e instanceof ServerRequestError && e.status === 404) return false;
      throw e;
    }
  }
  async getBundle(hash: string): Promise<Uint8Array> {
    const { response } = await this.#request<undefined>("GET", `/bundles/${hash}`, {
      unread: true,
    });
    return new Uint8Array(await response.arrayBuffer());
  }
  /** Registers a flow; `created` is false when the bundle hash is unchanged (same version). */
  registerFlow = (req: A.RegisterFlowRequest) =>
    this.#json<A.RegisterFlowResponse>("POST", "/flows", req);
  listFlows = (q: A.ListFlowsQuery = {}) =>
    this.#json<A.Page<A.Flow>>("GET", "/flows", undefined, q);
  getFlow = (id: number) => this.#json<A.Flow>("GET", `/flows/${id}`);
  listVersions = (id: number) => this.#json<A.Page<A.FlowVersion>>("GET", `/flows/${id}/versions`);
  getVersion = (id: number, version: number) =>
    this.#json<A.FlowVersion>("GET", `/flows/${id}/versions/${version}`);

  // --- schedules ---
  getSchedule = (flowId: number) => this.#json<A.Schedule>("GET", `/flows/${flowId}/schedule`);
  setSchedule = (flowId: number, s: A.ScheduleInput) =>
    this.#json<A.Schedule>("PUT", `/flows/${flowId}/schedule`, s);
  pauseSchedule = (flowId: number) =>
    this.#json<A.Schedule>("POST", `/flows/${flowId}/schedule/pause`, {});
  resumeSchedule = (flowId: number) =>
    this.#json<A.Schedule>("POST", `/flows/${flowId}/schedule/resume`, {});

  // --- runs ---
  createRun = (req: A.CreateRunRequest) => this.#json<A.Run>("POST", "/runs", req);
  listRuns = (q: A.ListRunsQuery = {}) => this.#json<A.Page<A.Run>>("GET", "/runs", undefined, q);
  getRun = (id: number) => this.#json<A.Run>("GET", `/runs/${id}`);
  /** Scheduled/Queued → Cancelled; Submitted/Running → Cancelling (the agent then stops it). */
  cancelRun = (id: number) => this.#json<A.Run>("POST", `/runs/${id}/cancel`, {});
  setRunState = (id: number, req: A.SetRunStateRequest) =>
    this.#json<A.Run>("POST", `/runs/${id}/state`, req);
  runStates = (id: number) =>
    this.#json<{ items: A.RunStateRecord[] }>("GET", `/runs/${id}/states`);
  reportTaskStates = (id: number, updates: A.TaskStateUpdate[]) =>
    this.#json<{ accepted: number }>("POST", `/runs/${id}/task-states`, { updates });
  listTasks = (id: number, q: A.ListTasksQuery = {}) =>
    this.#json<A.Page<A.TaskRun>>("GET", `/runs/${id}/tasks`, undefined, q);
  taskSummary = (id: number) => this.#json<A.TaskSummary>("GET", `/runs/${id}/tasks/summary`);
  timeline = (id: number, samples?: number) =>
    this.#json<A.Timeline>("GET", `/runs/${id}/tasks/timeline`, undefined, { samples });
  appendLogs = (id: number, lines: A.LogLineInput[]) =>
    this.#json<{ accepted: number }>("POST", `/runs/${id}/logs`, { lines });
  logs = (id: number, q: A.ListLogsQuery = {}) =>
    this.#json<A.LogPage>("GET", `/runs/${id}/logs`, undefined, q);
  setCluster = (id: number, cluster: A.RunCluster) =>
    this.#json<A.Run>("PUT", `/runs/${id}/cluster`, cluster);
  setCost = (id: number, cost: A.RunCost) => this.#json<A.Run>("PUT", `/runs/${id}/cost`, cost);

  /**
   * The run's live events (see api/events.ts); ends after the `end` event or when `signal` aborts.
   * `tasks: "live"` skips the replay of the task runs so far; `"summary"` sends counts instead.
   */
  async *runEvents(
    id: number,
    signal?: AbortSignal,
    o: { tasks?: "all" | "live" | "summary" } = {},
  ): AsyncGenerator<A.RunEvent> {
    yield* this.#events(`/runs/${id}/events${o.tasks ? `?tasks=${o.tasks}` : ""}`, signal);
  }
  /** `run` events of every run you can see (optionally of one flow). */
  async *allEvents(q: { flow?: string } = {}, signal?: AbortSignal): AsyncGenerator<A.RunEvent> {
    yield* this.#events(`/events${q.flow ? `?flow=${encodeURIComponent(q.flow)}` : ""}`, signal);
  }
  async *#events(path: string, signal?: AbortSignal): AsyncGenerator<A.RunEvent> {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (this.#auth) headers.authorization = this.#auth.authorization();
    let response: Response;
    try {
      response = await fetch(`${this.address}/api${path}`, { headers, signal });
    } catch (e) {
      if (signal?.aborted) return;
      throw new ServerUnreachableError(this.address, { cause: e });
    }
    if (response.status >= 400 || !response.body) {
      const text = await response.text();
      let msg = text;
      try {
        msg = (JSON.parse(text) as A.ErrorBody).error;
      } catch {
        /* keep text */
      }
      throw new ServerRequestError(response.status, "GET", path, msg);
    }
    try {
      for await (const m of readSse(response.body)) {
        const ev = JSON.parse(m.data) as A.RunEvent;
        yield ev;
        if (ev.type === "end") return;
      }
    } catch (e) {
      if (signal?.aborted) return;
      throw e;
    }
  }

  // --- agents ---
  registerAgent = (req: A.RegisterAgentRequest) =>
    this.#json<A.AgentRegistered>("POST", "/agents", req);
  heartbeat = (agentId: number, req: A.HeartbeatRequest = {}) =>
    this.#json<A.HeartbeatResponse>("POST", `/agents/${agentId}/heartbeat`, req);
  /** Long poll for runs to execute (and runs to cancel); see ClaimRequest. */
  async claim(
    agentId: number,
    req: A.ClaimRequest = {},
    signal?: AbortSignal,
  ): Promise<A.ClaimResponse> {
    const r = await this.#request<A.ClaimResponse>("POST", `/agents/${agentId}/claim`, {
      body: req,
      waitMs: req.waitMs ?? 0,
      signal,
    });
    return r.body;
  }
  listAgents = () => this.#json<A.Page<A.Agent>>("GET", "/agents");
  deregisterAgent = async (agentId: number) => {
    await this.#request("DELETE", `/agents/${agentId}`);
  };

  // --- limits & webhooks ---
  listLimits = () => this.#json<{ items: A.ConcurrencyLimit[] }>("GET", "/concurrency-limits");
  setLimit = (scope: A.LimitScope, key: string, limit: number) =>
    this.#json<A.ConcurrencyLimit>(
      "PUT",
      `/concurrency-limits/${scope}/${encodeURIComponent(key)}`,
      { limit },
    );
  deleteLimit = async (scope: A.LimitScope, key: string) => {
    await this.#request("DELETE", `/concurrency-limits/${scope}/${encodeURIComponent(key)}`);
  };
  createWebhook = (req: A.CreateWebhookRequest) => this.#json<A.Webhook>("POST", "/webhooks", req);
  listWebhooks = () => this.#json<{ items: A.Webhook[] }>("GET", "/webhooks");
  deleteWebhook = async (id: number) => {
    await this.#request("DELETE", `/webhooks/${id}`);
  };
  webhookDeliveries = (id: number) =>
    this.#json<{ items: A.WebhookDelivery[] }>("GET", `/webhooks/${id}/deliveries`);
}
