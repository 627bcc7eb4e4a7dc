/* global fetch, EventSource, URLSearchParams, TextEncoder, btoa, window, CustomEvent, performance */
// The UI's calls to the server's public REST API (relative URLs, so the UI works under any
// prefix; the browser sends the session cookie itself). Every call says X-Requested-With, so a
// 401 names the auth scheme in X-Flowgate-Auth instead of WWW-Authenticate (no browser login
// dialog) and the UI shows its own login form (a "flowgate:login" event on window).

/** An error answer of the REST API, with its status, `{"error"}` message and auth scheme. */
export class ApiError extends Error {
  constructor(status, method, path, message, challenge = null) {
    super(message);
    this.status = status;
    this.method = method;
    this.path = path;
    /** On a 401: the server's auth challenge ('Basic realm="flowgate"', 'Bearer …'). */
    this.challenge = challenge;
  }
}

function url(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return `api/${path.replace(/^\//, "")}${s ? `?${s}` : ""}`;
}

async function call(method, path, body, query, headers = {}) {
  const init = {
    method,
    headers: { accept: "application/json", "x-requested-with": "flowgate-ui", ...headers },
  };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url(path, query), init);
  } catch (e) {
    throw new ApiError(0, method, path, `the server did not answer (${e.message}); is it running?`);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const msg = data && typeof data === "object" && data.error ? data.error : String(text);
    const err = new ApiError(
      res.status,
      method,
      path,
      `${method} ${path}: ${res.status} ${msg}`,
      res.headers.get("x-flowgate-auth"),
    );
    // A session that ended (logged out elsewhere, server restarted): the app asks to log in.
    if (res.status === 401 && path !== "login")
      window.dispatchEvent(new CustomEvent("flowgate:login", { detail: err }));
    throw err;
  }
  return data;
}

/** The Authorization header of a user name and password (UTF-8, as the server decodes it). */
export function basicAuthorization(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/**
 * Logs in: POST /api/login with `authorization` ("Basic …" or "Bearer …"); the server answers
 * {user, admin} and sets the session cookie later calls and event streams send.
 */
export const login = (authorization) => call("POST", "login", {}, undefined, { authorization });

/** Logs out: the server clears the session cookie. */
export const logout = () => call("POST", "logout", {});

/** GET a JSON answer. */
export const get = (path, query) => call("GET", path, undefined, query);
/** POST a JSON body. */
export const post = (path, body = {}) => call("POST", path, body);
/** PUT a JSON body. */
export const put = (path, body = {}) => call("PUT", path, body);

/**
 * Every item of a paged list, following `next` up to `maxPages` pages (the lists the UI shows
 * in full are small: flows, agents).
 */
export async function getAll(path, query = {}, maxPages = 10) {
  const items = [];
  let cursor;
  for (let i = 0; i < maxPages; i++) {
    const page = await get(path, { limit: 1000, ...query, cursor });
    items.push(...page.items);
    if (!page.next) break;
    cursor = page.next;
  }
  return items;
}

/** Main-thread time one slice of queued stream events may take before the page gets a turn. */
const SLICE_MS = 8;

/**
 * Subscribes to a server-sent event stream (`events/…`). `handlers` maps event types (run,
 * tasks, logs, cluster, cost, end) to functions of the parsed data; `onState` hears "live",
 * "reconnecting", "offline" (the server refused the stream; if for want of a login, the login
 * form is asked for) and "closed" (the run ended). Events are parsed and handled in order, in
 * slices of at most ~SLICE_MS between which the page can draw and take input: a browser hands a
 * burst of events (100 × 1,000 task runs) to one task, which would otherwise block the page.
 * Returns a function that closes the stream.
 */
export function subscribe(path, handlers, onState = () => {}) {
  const es = new EventSource(url(path));
  let closed = false;
  const queue = [];
  let head = 0;
  let draining = false;
  const drain = () => {
    const until = performance.now() + SLICE_MS;
    while (head < queue.length && !closed && performance.now() < until) {
      const [type, raw] = queue[head];
      queue[head++] = undefined;
      let data;
      try {
        data = JSON.parse(raw);
      } catch {
        continue;
      }
      handlers[type](data);
      if (type === "end") {
        closed = true;
        es.close();
        onState("closed");
      }
    }
    if (head < queue.length && !closed) return void setTimeout(drain, 0);
    queue.length = 0;
    head = 0;
    draining = false;
  };
  es.onopen = () => onState("live");
  es.onerror = () => {
    if (closed) return;
    const refused = es.readyState === EventSource.CLOSED;
    onState(refused ? "offline" : "reconnecting");
    // A stream refused for want of a session: this call's 401 asks for the login form.
    if (refused) get("me").catch(() => {});
  };
  for (const type of Object.keys(handlers)) {
    es.addEventListener(type, (m) => {
      if (closed) return;
      queue.push([type, m.data]);
      if (!draining) {
        draining = true;
        setTimeout(drain, 0);
      }
    });
  }
  return () => {
    closed = true;
    es.close();
  };
}
