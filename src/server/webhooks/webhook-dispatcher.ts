import { randomUUID } from "node:crypto";
import type { RunState, WebhookPayload } from "../api/index.ts";
import type { RunRow } from "../store/rows.ts";
import type { Store } from "../store/store.ts";
import type { WebhookRow } from "../store/webhook-store.ts";
import { signWebhook } from "./webhook-signature.ts";

/** Retry policy of deliveries. */
export interface WebhookPolicy {
  /** attempts before a delivery is `failed` @default 8 */
  maxAttempts: number;
  /** first retry delay, doubled each time @default 1000 */
  backoffMs: number;
  /** per-attempt timeout @default 10000 */
  timeoutMs: number;
}

/**
 * Turns run state changes into deliveries (stored first, so they survive a restart) and sends
 * them: POST with an HMAC signature; a non-2xx answer or a network error is retried with
 * exponential backoff up to `maxAttempts`.
 */
export class WebhookDispatcher {
  #hooks: WebhookRow[] | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #stopped = false;

  constructor(
    private readonly store: Store,
    private readonly policy: WebhookPolicy,
  ) {}

  /** Forget the cached webhook list (after a create or delete). */
  invalidate(): void {
    this.#hooks = null;
  }

  /** Enqueues a delivery to each webhook that matches the run's flow, state and owner (any owner for an admin's all-users webhook). */
  async onState(run: RunRow, previous: RunState | null, now: number): Promise<void> {
    this.#hooks ??= await this.store.webhooks.all();
    const due = this.#hooks.filter((h) => {
      const flows = JSON.parse(h.flows) as number[];
      const states = JSON.parse(h.states) as string[];
      return (
        (flows.length === 0 || flows.includes(run.flow_id)) &&
        (states.length === 0 || states.includes(run.state)) &&
        (Number(h.all_users) === 1 || h.user_name === run.user_name)
      );
    });
    if (due.length === 0) return;
    await this.store.webhooks.enqueue(
      due.map((h) => {
        const id = randomUUID();
        const payload: WebhookPayload = {
          event: "run.state",
          deliveryId: id,
          runId: run.id,
          flowId: run.flow_id,
          flowName: run.flow_name,
          state: run.state,
          previous,
          reason: run.state_reason,
          at: now,
        };
        return {
          id,
          webhook_id: h.id,
          run_id: run.id,
          state: run.state,
          payload: JSON.stringify(payload),
          next_attempt_at: now,
        };
      }),
    );
    this.kick();
  }

  /** Starts the sender loop. */
  start(): void {
    this.#timer = setInterval(() => this.kick(), 500);
  }

  /** Sends due deliveries now. */
  kick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    void this.#drain().finally(() => (this.#running = false));
  }

  async #drain(): Promise<void> {
    for (;;) {
      const now = Date.now();
      const batch = await this.store.webhooks
        .takeDue(now, 20, this.policy.timeoutMs * 2)
        .catch(() => []);
      if (batch.length === 0 || this.#stopped) return;
      const hooks = new Map((await this.store.webhooks.all()).map((h) => [h.id, h]));
      await Promise.all(
        batch.map(async (d) => {
          const h = hooks.get(d.webhook_id);
          if (!h) return;
          const attempts = d.attempts + 1;
          const error = await this.#send(h, d.id, d.payload);
          if (error === null)
            return this.store.webhooks.record(d.id, attempts, "delivered", null, null);
          if (attempts >= this.policy.maxAttempts)
            return this.store.webhooks.record(d.id, attempts, "failed", error, null);
          const next = Date.now() + this.policy.backoffMs * 2 ** (attempts - 1);
          return this.store.webhooks.record(d.id, attempts, "pending", error, next);
        }),
      ).catch(() => {});
    }
  }

  async #send(h: WebhookRow, id: string, body: string): Promise<string | null> {
    try {
      const r = await fetch(h.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-flowgate-event": "run.state",
          "x-flowgate-delivery": id,
          "x-flowgate-signature": signWebhook(h.secret, body),
        },
        body,
        signal: AbortSignal.timeout(this.policy.timeoutMs),
      });
      await r.arrayBuffer().catch(() => {});
      return r.ok ? null : `HTTP ${r.status}`;
    } catch (e) {
      return (e as Error).message;
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
  }
}
