/** Quotes a word for a POSIX shell. */
export const shq = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a job script runs. A `{ shell }` word is left unquoted (e.g. "$(hostname)"). */
export interface JobScriptSpec {
  title: string;
  env: Record<string, string>;
  setup: string[];
  argv: (string | { shell: string })[];
}

/**
 * The batch script of one scheduler or worker job: exports its environment (the job is
 * submitted with --export=NONE, so nothing of the gateway's own environment leaks into it),
 * runs the setup lines, then execs the command so that scancel's signals reach it directly.
 */
export function jobScript(s: JobScriptSpec): string {
  const lines = ["#!/bin/sh", `# ${s.title.replaceAll("\n", " ")}`];
  for (const [k, v] of Object.entries(s.env))
    if (envName.test(k)) lines.push(`export ${k}=${shq(v)}`);
  lines.push(...s.setup);
  lines.push(`exec ${s.argv.map((a) => (typeof a === "string" ? shq(a) : a.shell)).join(" ")}`);
  return lines.join("\n") + "\n";
}

/** MiB for sbatch --mem from GiB. */
export const memMiB = (gib: number): string => `${Math.max(1, Math.ceil(gib * 1024))}M`;
