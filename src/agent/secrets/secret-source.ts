import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { secretVariable } from "../../environments/index.ts";
import { SecretsFileError } from "../errors.ts";

/**
 * Where an agent finds the values of the secrets that runs name: its secrets file (when given),
 * then its environment variables `FLOWGATE_SECRET_<NAME>`. The file is JSON (`{"NAME": "value"}`)
 * or KEY=VALUE lines (`#` comments, optional quotes), and must be private to its owner (mode
 * 0600 or 0400): it is read again for every run, so a rotated secret needs no restart. Values are
 * only ever handed to a run's environment; nothing here logs or stores them. An agent passes
 * `takeSecretVariables()` as `env`.
 */
export class SecretSource {
  readonly file: string | undefined;

  /** Throws SecretsFileError when the file is unusable (checked once here, at agent start). */
  constructor(
    file: string | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.file = file === undefined ? undefined : resolve(file);
    if (this.file !== undefined) readSecretsFile(this.file);
  }

  /** The secret's value; undefined when neither the file nor the environment holds it. */
  get(name: string): string | undefined {
    if (this.file !== undefined) {
      const fromFile = readSecretsFile(this.file).get(name);
      if (fromFile !== undefined) return fromFile;
    }
    const fromEnv = this.env[secretVariable(name)];
    return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
  }
}

let taken: NodeJS.ProcessEnv | undefined;

/**
 * Moves this process's `FLOWGATE_SECRET_*` variables out of `process.env` (once per process; every
 * agent in it shares the copy), so that the processes and threads that run tasks — which inherit
 * the environment — never see them. Returns the copy.
 */
export function takeSecretVariables(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  taken ??= {};
  for (const [k, v] of Object.entries(env))
    if (k.startsWith("FLOWGATE_SECRET_")) {
      taken[k] = v;
      delete env[k];
    }
  return taken;
}

/** Reads and parses a secrets file; throws SecretsFileError naming the problem and the fix. */
export function readSecretsFile(file: string): Map<string, string> {
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new SecretsFileError(file, "is not a regular file; give a file path");
    if ((st.mode & 0o077) !== 0)
      throw new SecretsFileError(
        file,
        `other users may read or change it (mode 0${(st.mode & 0o777).toString(8)}); make it private with: chmod 600 ${file}`,
      );
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof SecretsFileError) throw e;
    throw new SecretsFileError(
      file,
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the path`,
      { cause: e },
    );
  }
  return text.trimStart().startsWith("{") ? parseJson(file, text) : parseLines(file, text);
}

function parseJson(file: string, text: string): Map<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // The parser's message may quote the file's text, that is a secret: say only where.
    throw new SecretsFileError(file, 'is not valid JSON; write {"NAME": "value", …}');
  }
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (typeof v !== "string")
      throw new SecretsFileError(
        file,
        `the value of ${JSON.stringify(k)} is not a string; write {"${k}": "value"}`,
      );
    out.set(k, v);
  }
  return out;
}

function parseLines(file: string, text: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    const key = eq > 0 ? line.slice(0, eq).trim() : "";
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key))
      throw new SecretsFileError(
        file,
        `line ${i + 1} is not NAME=value (the name: letters, digits, "_", "." or "-"); fix or remove that line`,
      );
    let value = line.slice(eq + 1).trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q))
      value = value.slice(1, -1);
    out.set(key, value);
  });
  return out;
}
