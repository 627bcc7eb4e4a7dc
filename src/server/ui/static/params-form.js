// Pure parts of the "create a run" form (no DOM): fields from a flow version's parameters and
// the values typed into them read back as JSON.

/**
 * One field per parameter: its name, whether it is required, and the text it starts with (the
 * default as JSON; strings shown bare so "hello" is typed as hello).
 */
export function parameterFields(parameters) {
  return parameters.map((p) => {
    const has = Object.hasOwn(p, "default");
    let text = "";
    if (has) text = typeof p.default === "string" ? p.default : JSON.stringify(p.default);
    return {
      name: p.name,
      required: p.required,
      text,
      kind: has ? kindOf(p.default) : "json",
      hasDefault: has,
    };
  });
}

function kindOf(v) {
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "string") return "string";
  return "json";
}

/**
 * Reads a field's text as a parameter value: for a string default the text as is; otherwise
 * JSON when it parses, else the bare text. Returns `{ value }`, `{ omit: true }` for an empty
 * optional field (the flow's default applies), or `{ error }`.
 */
export function readField(field, text) {
  if (text === "" && !field.required) return { omit: true };
  if (text === "" && field.required)
    return { error: `${field.name} is required: type a value (JSON or text)` };
  if (field.kind === "string") return { value: text };
  if (field.kind === "boolean") {
    if (text === "true" || text === "false") return { value: text === "true" };
    return { error: `${field.name} must be true or false, not ${JSON.stringify(text)}` };
  }
  if (field.kind === "number") {
    const n = Number(text);
    if (text.trim() !== "" && Number.isFinite(n)) return { value: n };
    return { error: `${field.name} must be a number, not ${JSON.stringify(text)}` };
  }
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { value: text };
  }
}

/**
 * The parameters of a run from the typed texts (by parameter name), leaving out unchanged
 * defaults, or the list of errors to show.
 */
export function readParameters(fields, texts) {
  const parameters = {};
  const errors = [];
  for (const f of fields) {
    const text = texts[f.name] ?? "";
    if (f.hasDefault && text === f.text) continue;
    const r = readField(f, text);
    if (r.error) errors.push(r.error);
    else if (!r.omit) parameters[f.name] = r.value;
  }
  return errors.length ? { errors } : { parameters };
}

/** Labels typed as "a, b c" → ["a", "b", "c"] (labels hold no commas or spaces). */
export function readLabels(text) {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
