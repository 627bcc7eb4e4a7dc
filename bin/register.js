// Loader set-up for running flowgate from its TypeScript sources (this repository's tests and
// benchmarks: `node --import ./bin/register.js …`): TypeScript through tsx, and "flowgate"
// importable by name from any file, resolving to src/. The resolve hook is registered first so
// that it runs inside tsx's resolver, which then handles the .ts entry.
import { register } from "node:module";
import { fileURLToPath } from "node:url";
import { register as registerTsx } from "tsx/esm/api";

const hook = new URL("./resolve-flowgate.js", import.meta.url);
hook.searchParams.set("code", fileURLToPath(new URL("../src/", import.meta.url)));
hook.searchParams.set("ext", ".ts");
register(hook);
registerTsx();
globalThis[Symbol.for("flowgate.typescriptLoader")] = true;
