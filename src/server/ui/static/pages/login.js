/* global document */
// The login form, shown instead of a page when the server wants a user and the browser has no
// session: a user name and password for Basic auth (the server's `basic` or `simple` mode; a
// `simple` server may need no password), a token for Bearer auth. It logs in through
// POST /api/login, whose answer sets the session cookie.
import { basicAuthorization, login } from "../api.js";
import { errorBox, fill, h } from "../dom.js";

/**
 * Renders the form into `view` for the server's auth `challenge` (the 401's scheme); calls
 * `onLogin({user, admin})` once the server accepted the credentials.
 */
export function renderLogin(view, challenge, onLogin) {
  const bearer = /^bearer\b/i.test(challenge ?? "");
  const status = h("div", { id: "login-status", "aria-live": "assertive" });
  const field = (id, label, attrs) =>
    h(
      "p",
      { class: "field" },
      h("label", { for: id }, label),
      h("input", { id, name: id, required: attrs.required ?? true, ...attrs }),
    );
  const fields = bearer
    ? [field("login-token", "API token", { type: "password", autocomplete: "current-password" })]
    : [
        field("login-user", "User name", { type: "text", autocomplete: "username" }),
        field("login-password", "Password", {
          type: "password",
          autocomplete: "current-password",
          required: false,
        }),
      ];
  const submit = h("button", { type: "submit", class: "primary", id: "login-submit" }, "Log in");
  const form = h(
    "form",
    { class: "login", id: "login-form", "aria-labelledby": "login-title" },
    ...fields,
    submit,
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = (id) => document.getElementById(id)?.value ?? "";
    const authorization = bearer
      ? `Bearer ${value("login-token").trim()}`
      : basicAuthorization(value("login-user").trim(), value("login-password"));
    submit.disabled = true;
    fill(status, h("p", { class: "muted" }, "Logging in…"));
    try {
      const me = await login(authorization);
      fill(status);
      onLogin(me);
    } catch (err) {
      const msg =
        err.status === 401
          ? `Not logged in: ${bearer ? "that token is not valid" : "wrong user name or password"}. Check them and try again.`
          : err.status === 429
            ? `Not logged in: too many failed attempts; wait a minute and try again. (${err.message})`
            : `Not logged in: ${err.message}`;
      fill(status, errorBox(msg));
      submit.disabled = false;
      const first = form.querySelector(bearer ? "#login-token" : "#login-password");
      first?.select?.();
      first?.focus();
    }
  });
  view.dataset.page = "login";
  fill(
    view,
    h("h1", { id: "login-title" }, "Log in to flowgate"),
    h(
      "p",
      { class: "muted" },
      bearer
        ? "This server asks for an API token."
        : "This server asks for your user name and password.",
    ),
    form,
  );
  document.title = "Log in · flowgate";
  (bearer
    ? document.getElementById("login-token")
    : document.getElementById("login-user")
  )?.focus();
}
