/* global document, window, URLSearchParams */
// The server UI's shell: a hash router (#/runs, #/runs/12, #/flows/3 …) that renders one page
// module into <main>, marks the current menu entry and moves focus to the new page's heading;
// the login form instead while the server wants a user and there is no session.
import { get, logout } from "./api.js";
import { announce, errorBox, fill, h } from "./dom.js";
import { renderLogin } from "./pages/login.js";

const routes = [
  [/^flows$/, "flows", () => import("./pages/flows.js")],
  [/^flows\/(\d+)$/, "flows", () => import("./pages/flow.js")],
  [/^runs$/, "runs", () => import("./pages/runs.js")],
  [/^runs\/(\d+)$/, "runs", () => import("./pages/run.js")],
  [/^schedules$/, "schedules", () => import("./pages/schedules.js")],
  [/^agents$/, "agents", () => import("./pages/agents.js")],
  [/^queue$/, "queue", () => import("./pages/queue.js")],
];

const view = document.getElementById("view");
let cleanup = null;
let generation = 0;
// The first page keeps the browser's focus (Tab reaches the skip link first); later ones move
// focus to the new content, as a screen reader user expects after following a link.
let first = true;

/** Splits "#/runs?state=Failed" into ["runs", URLSearchParams]. */
function parseHash(hash) {
  const s = hash.replace(/^#\/?/, "");
  const q = s.indexOf("?");
  return q < 0 ? [s, new URLSearchParams()] : [s.slice(0, q), new URLSearchParams(s.slice(q + 1))];
}

// Whether the login form is up: page changes wait for the login.
let loggingIn = false;

async function show() {
  if (loggingIn) return;
  const [path, query] = parseHash(window.location.hash);
  if (path === "") {
    window.location.replace("#/runs");
    return;
  }
  const gen = ++generation;
  cleanup?.();
  cleanup = null;
  const route = routes.find(([re]) => re.test(path));
  for (const a of document.querySelectorAll("nav a[data-nav]")) {
    if (a.dataset.nav === route?.[1]) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (!route) {
    fill(view, errorBox(`No page at #/${path}; pick one from the menu.`));
    return;
  }
  const params = path.match(route[0]).slice(1);
  try {
    const page = await route[2]();
    if (gen !== generation) return;
    view.replaceChildren();
    view.dataset.page = route[1];
    cleanup = (await page.render(view, params, query)) ?? null;
    if (gen !== generation) {
      cleanup?.();
      cleanup = null;
      return;
    }
    const h1 = view.querySelector("h1");
    document.title = h1 ? `${h1.textContent} · flowgate` : "flowgate";
    if (
      !first &&
      (document.activeElement === document.body || document.activeElement?.closest("nav"))
    )
      view.focus({ preventScroll: true });
    first = false;
  } catch (e) {
    if (gen === generation) fill(view, errorBox(e.message));
  }
}

/** Shows who is logged in and a logout button (or nothing while logged out). */
function drawMe(me) {
  const el = document.getElementById("me");
  if (!me) return fill(el);
  const out = h("button", { type: "button", id: "logout", class: "link" }, "Log out");
  out.addEventListener("click", async () => {
    out.disabled = true;
    try {
      await logout();
      announce("Logged out");
    } finally {
      void start();
    }
  });
  fill(
    el,
    h("span", { id: "me-name" }, `${me.name ?? me.user}${me.admin ? " (admin)" : ""}`),
    " ",
    out,
  );
}

/** Replaces the page with the login form; the page comes back once logged in. */
function askLogin(challenge) {
  if (loggingIn) return;
  loggingIn = true;
  generation++;
  cleanup?.();
  cleanup = null;
  drawMe(null);
  for (const a of document.querySelectorAll("nav a[data-nav]")) a.removeAttribute("aria-current");
  renderLogin(view, challenge, (me) => {
    loggingIn = false;
    announce(`Logged in as ${me.user}`);
    drawMe(me);
    first = true;
    void show();
  });
}

/** Who is asking: the page for a user, the login form for nobody. */
async function start() {
  try {
    drawMe(await get("me"));
  } catch (e) {
    if (e.status === 401) return askLogin(e.challenge);
    /* other failures: the page itself shows them */
  }
  void show();
}

window.addEventListener("flowgate:login", (e) => askLogin(e.detail.challenge));
window.addEventListener("hashchange", show);
void start();
