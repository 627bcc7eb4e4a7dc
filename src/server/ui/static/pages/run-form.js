/* global window */
// The "create a run" form, generated from a flow version's parameters and defaults; it calls
// POST /api/runs and opens the new run.
import { post } from "../api.js";
import { announce, errorBox, fill, h } from "../dom.js";
import { parameterFields, readLabels, readParameters } from "../params-form.js";

/** A form creating a run of `flow` at `version` (a FlowVersion). */
export function runForm(flow, version) {
  const fields = parameterFields(version.graph.parameters);
  const status = h("div", { "aria-live": "polite" });
  const inputs = fields.map((f) => {
    const id = `param-${f.name}`;
    const input =
      f.kind === "boolean"
        ? h(
            "select",
            { id, name: f.name, "data-param": f.name },
            ["true", "false"].map((v) => h("option", { value: v, selected: v === f.text }, v)),
          )
        : h("input", {
            id,
            name: f.name,
            "data-param": f.name,
            value: f.text,
            required: f.required,
            inputmode: f.kind === "number" ? "decimal" : null,
            autocomplete: "off",
          });
    return h(
      "label",
      { for: id },
      h("span", {}, f.name, f.required ? " (required)" : ""),
      input,
      h(
        "span",
        { class: "hint" },
        f.hasDefault ? `default ${f.text === "" ? '""' : f.text}` : "JSON or text",
      ),
    );
  });
  const labelInput = h("input", {
    id: "run-labels",
    name: "labels",
    value: version.labels.join(" "),
    autocomplete: "off",
  });
  const startInput = h("input", { id: "run-start", name: "startAt", type: "datetime-local" });
  const submit = h("button", { type: "submit", class: "primary" }, "Create run");
  const form = h(
    "form",
    { class: "params", id: "create-run", "aria-label": `New run of ${flow.name}` },
    fields.length ? inputs : h("p", { class: "muted" }, "This flow has no parameters."),
    h("label", { for: "run-labels" }, h("span", {}, "Labels (space separated)"), labelInput),
    h("label", { for: "run-start" }, h("span", {}, "Start at (empty: now)"), startInput),
    h("div", {}, submit),
    status,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const texts = {};
    for (const el of form.querySelectorAll("[data-param]")) texts[el.dataset.param] = el.value;
    const read = readParameters(fields, texts);
    if (read.errors) {
      fill(status, errorBox(read.errors.join("; ")));
      return;
    }
    const body = {
      flow: flow.id,
      version: version.version,
      parameters: read.parameters,
      labels: readLabels(labelInput.value),
    };
    if (startInput.value) body.startAt = new Date(startInput.value).getTime();
    submit.disabled = true;
    try {
      const run = await post("runs", body);
      announce(`Run ${run.id} created`);
      window.location.hash = `#/runs/${run.id}`;
    } catch (e) {
      fill(status, errorBox(e.message));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
