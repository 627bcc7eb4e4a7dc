// Loader set-up shared by the CLI, tests and benchmarks (`node --import ./bin/register.js …`):
// TypeScript through tsx, and "flowgate" importable by name from any file. The resolve hook is
// registered first so that it runs inside tsx's resolver, which then handles the .ts entry.
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

register("./resolve-flowgate.js", import.meta.url);
registerTsx();
