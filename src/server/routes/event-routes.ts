import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { RunEvent } from "../api/index.ts";
import { RunService } from "../runs/run-service.ts";
import type { ServerContext } from "../server-context.ts";
import { toTask } from "../store/rows.ts";
import { IdParams, doc, viewerOf } from "./route-helpers.ts";

/** Opens a text/event-stream answer; returns a writer and whether the client is gone. */
function openStream(reply: FastifyReply): {
  send: (e: RunEvent) => void;
  closed: () => boolean;
  end: () => void;
} {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.write(": flowgate\n\n");
  let closed = false;
  res.on("close", () => (closed = true));
  const ping = setInterval(() => !closed && res.write(": ping\n\n"), 15_000);
  res.on("close", () => clearInterval(ping));
  return {
    send: (e) => {
      if (!closed) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    },
    closed: () => closed,
    end: () => {
      clearInterval(ping);
      if (!closed) res.end();
    },
  };
}

/**
 * Live run updates as server-sent events. A change notice (from this process or, on PostgreSQL,
 * another) makes the stream pull what is new — the run, task runs and log lines after the last
 * ones sent — at most every 100 ms, so a burst of updates costs one pull.
 */
export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = ctx.store;

  app.get(
    "/api/runs/:id/events",
    {
      schema: {
        ...doc("runs", "A run's live events (text/event-stream)"),
        params: IdParams,
        querystring: Type.Object(
          {
            // live: no replay of the task runs so far, only changes from now on
            tasks: Type.Optional(Type.Union([Type.Literal("all"), Type.Literal("live")])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(ctx, req);
      const first = await ctx.visibleRun(viewer, (req.params as { id: number }).id);
      const live = (req.query as { tasks?: string }).tasks === "live";
      let taskSeq = live ? await store.tasks.lastSeq(first.id) : 0;
      const s = openStream(reply);
      let lastUpdate = -1;
      let logSeq = 0;
      let pulling = false;
      let again = false;
      let timer: NodeJS.Timeout | null = null;
      const pull = async () => {
        if (pulling) return void (again = true);
        pulling = true;
        try {
          do {
            again = false;
            const r = (await store.runs.get(first.id))!;
            for (;;) {
              const logs = await store.tasks.logs(r.id, { after: logSeq, limit: 1000 });
              if (logs.items.length === 0) break;
              logSeq = logs.last;
              s.send({ type: "logs", runId: r.id, lines: logs.items });
            }
            const tasks = await store.tasks.changedSince(r.id, taskSeq, 1000);
            if (tasks.length) {
              taskSeq = tasks[tasks.length - 1]!.seq;
              s.send({ type: "tasks", runId: r.id, tasks: tasks.map(toTask) });
              if (tasks.length === 1000) again = true;
            }
            if (r.updated_at !== lastUpdate) {
              lastUpdate = r.updated_at;
              s.send({ type: "run", run: (await ctx.present([r]))[0]! });
            }
            if (RunService.finished(r.state) && !again) {
              s.send({ type: "end", runId: r.id });
              return stop();
            }
          } while (again && !s.closed());
        } finally {
          pulling = false;
        }
      };
      const soon = () => {
        if (!timer) timer = setTimeout(() => ((timer = null), void pull().catch(stop)), 100);
      };
      const off = ctx.hub.onRun(first.id, soon);
      // a safety net for missed notices (another process's NOTIFY lost on reconnect)
      const poll = setInterval(soon, 2000);
      function stop() {
        off();
        clearInterval(poll);
        if (timer) clearTimeout(timer);
        s.end();
      }
      reply.raw.on("close", stop);
      void pull().catch(stop);
    },
  );

  app.get(
    "/api/events",
    {
      schema: {
        ...doc("runs", "`run` events of every run you can see (text/event-stream)"),
        querystring: Type.Object(
          { flow: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(ctx, req);
      const flow = (req.query as { flow?: number }).flow;
      const s = openStream(reply);
      const pending = new Set<number>();
      let timer: NodeJS.Timeout | null = null;
      const flush = async () => {
        timer = null;
        const ids = [...pending];
        pending.clear();
        for (const id of ids) {
          const r = await store.runs.get(id);
          if (
            !r ||
            (flow !== undefined && r.flow_id !== flow) ||
            (!viewer.admin && r.user_name !== viewer.name)
          )
            continue;
          s.send({ type: "run", run: (await ctx.present([r]))[0]! });
        }
      };
      const off = ctx.hub.onAnyRun((id) => {
        pending.add(id);
        if (!timer) timer = setTimeout(() => void flush().catch(() => {}), 100);
      });
      reply.raw.on("close", () => {
        off();
        if (timer) clearTimeout(timer);
      });
    },
  );
}
