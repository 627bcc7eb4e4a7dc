import { register } from "node:module";
import { resolveHookUrl } from "./code-location.ts";

const KEY = Symbol.for("flowgate.typescriptLoader");

/**
 * Makes this process able to import users' flow files: TypeScript through tsx, and "flowgate"
 * resolved to the flowgate that is running (also from a file outside any package). A no-op when
 * done already, for instance by bin/register.js, which runs flowgate's own sources.
 */
export async function ensureTypeScriptLoader(): Promise<void> {
  const g = globalThis as Record<symbol, unknown>;
  if (g[KEY]) return;
  g[KEY] = true;
  register(resolveHookUrl());
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
}
