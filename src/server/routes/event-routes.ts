import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { RunEvent } from "../api/index.ts";
import { RunService } from "../runs/run-service.ts";
import type { ServerContext } from "../server-context.ts";
import { toTask } from "../store/rows.ts";
import { IdParams, doc, viewerOf } from "./route-helpers.ts";
import { RunSummaries } from "./run-summaries.ts";

/** A `?tasks=summary` stream sends a changed summary at most this often… */
const SUMMARY_MS = 1000;
/** …and a changed sampled timeline at most this often. */
const TIMELINE_MS = 3000;

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
 * ones sent — at most every 100 ms, so a burst of updates costs one pull. With `?tasks=summary`
 * it sends, instead of task rows, the exact counts per task name (and a sampled timeline) when
 * the run's task `seq` moved, at most every SUMMARY_MS (TIMELINE_MS), shared by the streams of
 * one run in this process.
 */
export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = ctx.store;
  const shared = new RunSummaries(store);

  app.get(
    "/api/runs/:id/events",
    {
      schema: {
        ...doc("runs", "A run's live events (text/event-stream)"),
        params: IdParams,
        querystring: Type.Object(
          {
            // all: every task run, then changes; live: only changes from now on;
            // summary: no task rows, `summary` (≤ 1/s) and `timeline` (≤ 1/3 s) events
            tasks: Type.Optional(
              Type.Union([Type.Literal("all"), Type.Literal("live"), Type.Literal("summary")], {
                description:
                  "all: every task run, then changes; live: only changes from now on; summary: " +
                  "`summary` and `timeline` events instead of task rows (large runs)",
              }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(ctx, req);
      const first = await ctx.visibleRun(viewer, (req.params as { id: number }).id);
      const mode = (req.query as { tasks?: string }).tasks ?? "all";
      let taskSeq = mode === "live" ? await store.tasks.lastSeq(first.id) : 0;
      const s = openStream(reply);
      const sums = mode === "summary" ? shared.open(first.id) : null;
      // summary mode: the seq each event last described, when it was sent, a deferred pull
      const sent = { summary: -1, summaryAt: 0, timeline: -1, timelineAt: 0 };
      let later: NodeJS.Timeout | null = null;
      const deferTo = (at: number) => {
        if (!later) later = setTimeout(() => ((later = null), soon()), at - Date.now());
      };
      /** Sends the summary (and timeline) when tasks changed and their period passed; `last`: now. */
      const summaries = async (runId: number, last: boolean) => {
        const seq = await store.tasks.lastSeq(runId);
        const now = Date.now();
        if (seq !== sent.summary || last) {
          if (last || now - sent.summaryAt >= SUMMARY_MS) {
            sent.summary = seq;
            sent.summaryAt = now;
            s.send({ type: "summary", runId, summary: await sums!.summary(seq) });
          } else deferTo(sent.summaryAt + SUMMARY_MS);
        }
        if (seq !== sent.timeline || last) {
          if (last || now - sent.timelineAt >= TIMELINE_MS) {
            sent.timeline = seq;
            sent.timelineAt = now;
            s.send({ type: "timeline", runId, timeline: await sums!.timeline(seq) });
          } else deferTo(sent.timelineAt + TIMELINE_MS);
        }
      };
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
            const done = RunService.finished(r.state);
            const tasks = sums ? [] : await store.tasks.changedSince(r.id, taskSeq, 1000);
            if (sums) await summaries(r.id, done);
            if (tasks.length) {
              taskSeq = tasks[tasks.length - 1]!.seq;
              s.send({ type: "tasks", runId: r.id, tasks: tasks.map(toTask) });
              if (tasks.length === 1000) again = true;
            }
            if (r.updated_at !== lastUpdate) {
              lastUpdate = r.updated_at;
              s.send({ type: "run", run: (await ctx.present([r]))[0]! });
            }
            if (done && !again) {
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
        if (later) clearTimeout(later);
        sums?.close();
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
