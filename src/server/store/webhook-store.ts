import type { CreateWebhookRequest, Webhook, WebhookDelivery } from "../api/index.ts";
import type { SqlDriver } from "./sql-driver.ts";

export interface WebhookRow {
  id: number;
  user_name: string;
  url: string;
  secret: string;
  flows: string;
  states: string;
  /** 1: runs of every user (created by an admin with allUsers) */
  all_users: number;
  created_at: number;
}
export interface DeliveryRow {
  id: string;
  webhook_id: number;
  run_id: number;
  state: string;
  payload: string;
  attempts: number;
  status: "pending" | "delivered" | "failed";
  last_error: string | null;
  next_attempt_at: number | null;
}

export const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  user: r.user_name,
  url: r.url,
  flows: JSON.parse(r.flows) as number[],
  states: JSON.parse(r.states) as string[],
  allUsers: Number(r.all_users) === 1,
  createdAt: r.created_at,
});

/** Webhooks and their deliveries (a durable outbox: a delivery survives a server restart). */
export class WebhookStore {
  constructor(private readonly db: SqlDriver) {}

  async create(user: string, req: CreateWebhookRequest, now: number): Promise<WebhookRow> {
    return (await this.db.get<WebhookRow>(
      "INSERT INTO webhooks (user_name, url, secret, flows, states, all_users, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
      [
        user,
        req.url,
        req.secret,
        JSON.stringify(req.flows ?? []),
        JSON.stringify(req.states ?? []),
        req.allUsers ? 1 : 0,
        now,
      ],
    ))!;
  }

  async all(): Promise<WebhookRow[]> {
    return this.db.all<WebhookRow>("SELECT * FROM webhooks ORDER BY id");
  }

  async get(id: number): Promise<WebhookRow | undefined> {
    return this.db.get<WebhookRow>("SELECT * FROM webhooks WHERE id = ?", [id]);
  }

  async delete(id: number): Promise<void> {
    await this.db.run("DELETE FROM deliveries WHERE webhook_id = ?", [id]);
    await this.db.run("DELETE FROM webhooks WHERE id = ?", [id]);
  }

  async enqueue(rows: Omit<DeliveryRow, "attempts" | "status" | "last_error">[]): Promise<void> {
    await this.db.insertMany(
      "INSERT INTO deliveries (id, webhook_id, run_id, state, payload, attempts, status, last_error, next_attempt_at)",
      rows.map((d) => [
        d.id,
        d.webhook_id,
        d.run_id,
        d.state,
        d.payload,
        0,
        "pending",
        null,
        d.next_attempt_at,
      ]),
    );
  }

  /**
   * Takes up to `n` due deliveries for `leaseMs` (their next attempt moves past the lease, so a
   * second server process does not send them at the same time).
   */
  async takeDue(now: number, n: number, leaseMs: number): Promise<DeliveryRow[]> {
    const due = await this.db.all<DeliveryRow>(
      "SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
      [now, n],
    );
    const taken: DeliveryRow[] = [];
    for (const d of due) {
      const ok = await this.db.run(
        "UPDATE deliveries SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ?",
        [now + leaseMs, d.id, d.next_attempt_at],
      );
      if (ok) taken.push(d);
    }
    return taken;
  }

  async record(
    id: string,
    attempts: number,
    status: DeliveryRow["status"],
    error: string | null,
    next: number | null,
  ): Promise<void> {
    await this.db.run(
      "UPDATE deliveries SET attempts = ?, status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
      [attempts, status, error, next, id],
    );
  }

  async deliveries(webhookId: number): Promise<WebhookDelivery[]> {
    const rows = await this.db.all<DeliveryRow>(
      "SELECT * FROM deliveries WHERE webhook_id = ? ORDER BY run_id DESC, id LIMIT 1000",
      [webhookId],
    );
    return rows.map((d) => ({
      id: d.id,
      runId: d.run_id,
      state: d.state,
      attempts: d.attempts,
      status: d.status,
      lastError: d.last_error,
      nextAttemptAt: d.status === "pending" ? d.next_attempt_at : null,
    }));
  }
}
