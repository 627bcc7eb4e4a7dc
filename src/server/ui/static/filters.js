/* global URLSearchParams */
// Pure run-list filters (no DOM): the hash query they live in, the REST query they become, and
// whether a live run event belongs to the list being shown.

/** Time windows offered by the runs page, in ms ("" = any time). */
export const TIME_WINDOWS = {
  "": 0,
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};

/** Reads filters from a URLSearchParams-like query: flow, state (comma list), label, window. */
export function parseFilters(params) {
  const get = (k) => (params.get(k) ?? "").trim();
  const states = get("state")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const window = get("window");
  return {
    flow: get("flow"),
    states,
    label: get("label"),
    window: Object.hasOwn(TIME_WINDOWS, window) ? window : "",
  };
}

/** The filters as a hash query ("flow=3&state=Running,Failed"), empty values left out. */
export function filtersToQuery(f) {
  const q = new URLSearchParams();
  if (f.flow) q.set("flow", f.flow);
  if (f.states.length) q.set("state", f.states.join(","));
  if (f.label) q.set("label", f.label);
  if (f.window) q.set("window", f.window);
  return q.toString();
}

/** The GET /api/runs query for the filters at time `now`. */
export function filtersToApi(f, now, limit = 100) {
  const q = { limit };
  if (f.flow) q.flow = f.flow;
  if (f.states.length) q.state = f.states.join(",");
  if (f.label) q.label = f.label;
  if (f.window) q.since = now - TIME_WINDOWS[f.window];
  return q;
}

/**
 * Whether `run` belongs to the list filtered by `f` at `now`. `flow` matches a flow id, a
 * "project/name" or a name, as the REST API does.
 */
export function runMatches(run, f, now) {
  if (f.flow) {
    const byId = String(run.flowId) === f.flow;
    const byName = run.flowName === f.flow || `${run.project}/${run.flowName}` === f.flow;
    if (!byId && !byName) return false;
  }
  if (f.states.length && !f.states.includes(run.state)) return false;
  if (f.label && !run.labels.includes(f.label)) return false;
  if (f.window && run.createdAt < now - TIME_WINDOWS[f.window]) return false;
  return true;
}

/**
 * Puts a changed run into a newest-first list: replaced in place when present, dropped when it no
 * longer matches, inserted by id when new; the list is kept to `max` rows. Returns a new array.
 */
export function upsertRun(list, run, matches, max = 100) {
  const i = list.findIndex((r) => r.id === run.id);
  const next = list.slice();
  if (i >= 0) {
    if (matches) next[i] = run;
    else next.splice(i, 1);
    return next;
  }
  if (!matches) return list;
  let at = next.findIndex((r) => r.id < run.id);
  if (at < 0) at = next.length;
  next.splice(at, 0, run);
  return next.length > max ? next.slice(0, max) : next;
}
