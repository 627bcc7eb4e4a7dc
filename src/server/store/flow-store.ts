import { createHash } from "node:crypto";
import type { Flow, FlowVersion, ListFlowsQuery, Page, RegisterFlowRequest } from "../api/index.ts";
import { ForbiddenError, InvalidRequestError, NotFoundError } from "../errors.ts";
import type { SqlDriver } from "./sql-driver.ts";
import { Where } from "./where.ts";
import {
  cursorId,
  pageOf,
  toFlow,
  toVersion,
  type FlowRow,
  type VersionRow,
  type Viewer,
} from "./rows.ts";

/** The name of a flow's code: the bundle hash, or a hash of image + path. */
export function storageHash(s: RegisterFlowRequest["storage"]): string {
  if (s.type === "bundle") return s.hash;
  return createHash("sha256").update(`image\0${s.image}\0${s.path}\0${s.flowName}`).digest("hex");
}

/** Bundles (content-addressed), flows and their versions. */
export class FlowStore {
  /** Versions parsed lately (a run create reads one; graphs can be large): 2 s, 500 entries. */
  readonly #versions = new Map<string, { at: number; v: FlowVersion }>();

  constructor(private readonly db: SqlDriver) {}

  /** Stores a bundle; false when it was already there. */
  async putBundle(hash: string, bytes: Buffer, now: number): Promise<boolean> {
    const n = await this.db.run(
      "INSERT INTO bundles (hash, size, content, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
      [hash, bytes.length, bytes, now],
    );
    return n > 0;
  }

  async getBundle(hash: string): Promise<Buffer | undefined> {
    return (
      await this.db.get<{ content: Buffer }>("SELECT content FROM bundles WHERE hash = ?", [hash])
    )?.content;
  }

  /**
   * Whether `viewer` may read a bundle: an admin, or the owner of a flow version made of it (a
   * bundle is a user's code; its hash alone must not give it to another user).
   */
  async bundleVisibleTo(viewer: Viewer, hash: string): Promise<boolean> {
    if (viewer.admin) return true;
    return Boolean(
      await this.db.get(
        "SELECT 1 AS x FROM flow_versions v JOIN flows f ON f.id = v.flow_id WHERE v.hash = ? AND f.user_name = ?",
        [hash, viewer.name],
      ),
    );
  }

  async hasBundle(hash: string): Promise<boolean> {
    return Boolean(await this.db.get("SELECT 1 AS x FROM bundles WHERE hash = ?", [hash]));
  }

  /**
   * Registers a flow: a new flow, or a new version when the code's hash differs from the latest
   * version's; otherwise the latest version's graph, environment and labels are refreshed in
   * place and `created` is false. Only the flow's owner (or an admin) may register over it.
   */
  async register(
    viewer: Viewer,
    req: RegisterFlowRequest,
    now: number,
  ): Promise<{ flow: Flow; version: FlowVersion; created: boolean }> {
    const project = req.project ?? "default";
    const hash = storageHash(req.storage);
    if (req.storage.type === "bundle" && !(await this.hasBundle(hash)))
      throw new InvalidRequestError(
        `bundle ${hash} is not on the server; upload it first with PUT /api/bundles/${hash}`,
      );
    const labels = JSON.stringify([...new Set(req.labels ?? [])].sort());
    const env = req.environment ? JSON.stringify(req.environment) : null;
    const graph = JSON.stringify(req.graph);
    this.#versions.clear();
    const storage = JSON.stringify(req.storage);
    return this.db.transaction(async (tx) => {
      let f = await tx.get<FlowRow>("SELECT * FROM flows WHERE project = ? AND name = ?", [
        project,
        req.name,
      ]);
      let created = false;
      if (!f) {
        f = (await tx.get<FlowRow>(
          "INSERT INTO flows (project, name, user_name, latest_version, labels, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?) RETURNING *",
          [project, req.name, viewer.name, labels, now, now],
        ))!;
        created = true;
      } else if (f.user_name !== viewer.name && !viewer.admin) {
        throw new ForbiddenError(
          `flow ${project}/${req.name} belongs to ${JSON.stringify(f.user_name)}; register it under another name or project`,
        );
      }
      const latest = await tx.get<VersionRow>(
        "SELECT * FROM flow_versions WHERE flow_id = ? AND version = ?",
        [f.id, f.latest_version],
      );
      if (!latest || latest.hash !== hash) {
        const version = latest ? f.latest_version + 1 : 1;
        await tx.run(
          "INSERT INTO flow_versions (flow_id, version, hash, storage, graph, environment, labels, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          [f.id, version, hash, storage, graph, env, labels, now],
        );
        created = true;
        f.latest_version = version;
      } else {
        await tx.run(
          "UPDATE flow_versions SET graph = ?, environment = ?, labels = ? WHERE flow_id = ? AND version = ?",
          [graph, env, labels, f.id, f.latest_version],
        );
      }
      await tx.run("UPDATE flows SET latest_version = ?, labels = ?, updated_at = ? WHERE id = ?", [
        f.latest_version,
        labels,
        now,
        f.id,
      ]);
      const row = (await tx.get<FlowRow>("SELECT * FROM flows WHERE id = ?", [f.id]))!;
      const v = (await tx.get<VersionRow>(
        "SELECT * FROM flow_versions WHERE flow_id = ? AND version = ?",
        [f.id, f.latest_version],
      ))!;
      return { flow: toFlow(row), version: toVersion(v), created };
    }, `flow:${project}/${req.name}`);
  }

  async list(viewer: Viewer, q: ListFlowsQuery): Promise<Page<Flow>> {
    const w = new Where();
    if (!viewer.admin) w.add("user_name = ?", viewer.name);
    if (q.project) w.add("project = ?", q.project);
    if (q.name) w.add("name = ?", q.name);
    if (q.label) w.add("labels LIKE ?", `%${JSON.stringify(q.label)}%`);
    const before = cursorId(q.cursor);
    if (before !== undefined) w.add("id < ?", before);
    const limit = q.limit ?? 100;
    const rows = await this.db.all<FlowRow>(`SELECT * FROM flows ${w} ORDER BY id DESC LIMIT ?`, [
      ...w.params,
      limit + 1,
    ]);
    return pageOf(rows.map(toFlow), limit, (f) => f.id);
  }

  /** A flow by id, "project/name" or name (the viewer's, or anyone's for admins). 404 otherwise. */
  async find(viewer: Viewer, ref: number | string): Promise<Flow> {
    let rows: FlowRow[];
    if (typeof ref === "number" || /^\d+$/.test(ref)) {
      rows = await this.db.all<FlowRow>("SELECT * FROM flows WHERE id = ?", [Number(ref)]);
    } else if (ref.includes("/")) {
      const i = ref.indexOf("/");
      rows = await this.db.all<FlowRow>("SELECT * FROM flows WHERE project = ? AND name = ?", [
        ref.slice(0, i),
        ref.slice(i + 1),
      ]);
    } else {
      rows = await this.db.all<FlowRow>("SELECT * FROM flows WHERE name = ? ORDER BY id", [ref]);
    }
    rows = rows.filter((r) => viewer.admin || r.user_name === viewer.name);
    if (rows.length === 0) throw new NotFoundError("flow", String(ref));
    if (rows.length > 1)
      throw new InvalidRequestError(
        `flow name ${JSON.stringify(ref)} is in several projects (${rows.map((r) => r.project).join(", ")}); use "project/name" or the flow id`,
      );
    return toFlow(rows[0]!);
  }

  async versions(flowId: number): Promise<FlowVersion[]> {
    const rows = await this.db.all<VersionRow>(
      "SELECT * FROM flow_versions WHERE flow_id = ? ORDER BY version DESC",
      [flowId],
    );
    return rows.map(toVersion);
  }

  async version(flowId: number, version: number): Promise<FlowVersion> {
    const key = `${flowId}@${version}`;
    const hit = this.#versions.get(key);
    if (hit && hit.at > Date.now() - 2000) return hit.v;
    const v = await this.#readVersion(flowId, version);
    if (this.#versions.size >= 500) this.#versions.clear();
    this.#versions.set(key, { at: Date.now(), v });
    return v;
  }

  async #readVersion(flowId: number, version: number): Promise<FlowVersion> {
    const r = await this.db.get<VersionRow>(
      "SELECT * FROM flow_versions WHERE flow_id = ? AND version = ?",
      [flowId, version],
    );
    if (!r) throw new NotFoundError("flow version", `${flowId}@${version}`);
    return toVersion(r);
  }
}
