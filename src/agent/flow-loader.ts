import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Flow, waitForFlow } from "../flow/index.ts";
import { agentBundleDir, importFlowFile } from "./code-shipping.ts";
import type { FlowStorage } from "../server/api/index.ts";
import type { ServerClient } from "../server/client/index.ts";
import { BundleIntegrityError, FlowNotInBundleError, StorageUnavailableError } from "./errors.ts";

/**
 * Loads registered flows into this process: a bundle is fetched from the server once, checked
 * against its hash, kept as `<sha256>.mjs` (so the cluster executor ships it as it is) and
 * imported with its top-level `flow.run()` calls suppressed; an image storage's file is
 * imported from its path when the agent runs inside that image.
 */
export class FlowLoader {
  readonly #modules = new Map<string, Promise<Record<string, unknown> | undefined>>();
  readonly #dir: string;
  /** Imports run one at a time: while one runs, every flow.run() in this process is suppressed. */
  #importing: Promise<unknown> = Promise.resolve();
  #inFlight = 0;

  constructor(
    private readonly server: ServerClient,
    dir: string | undefined,
  ) {
    this.#dir = dir ?? agentBundleDir();
  }

  /** The flow a run needs. Throws BundleIntegrityError, StorageUnavailableError, FlowNotInBundleError. */
  async load(storage: FlowStorage): Promise<Flow<unknown>> {
    if (storage.type === "image") {
      if (!existsSync(storage.path)) throw new StorageUnavailableError(storage.image, storage.path);
      return this.#flowOf(storage.path, storage.flowName, `flow file ${storage.path}`);
    }
    const file = await this.#fetch(storage.hash);
    return this.#flowOf(file, storage.flowName, `bundle ${storage.hash}`);
  }

  /**
   * Resolves when no flow file is importing. Call `flow.run()` synchronously after
   * `while (loader.importing) await loader.idle()`: during an import every run is suppressed.
   */
  async idle(): Promise<void> {
    while (this.#inFlight > 0) await this.#importing;
  }

  /** True while a flow file is importing. */
  get importing(): boolean {
    return this.#inFlight > 0;
  }

  async #fetch(hash: string): Promise<string> {
    const file = join(this.#dir, `${hash}.mjs`);
    if (existsSync(file)) return file;
    const code = await this.server.getBundle(hash);
    const actual = createHash("sha256").update(code).digest("hex");
    if (actual !== hash) throw new BundleIntegrityError(hash, actual);
    await mkdir(this.#dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, code);
    await rename(partial, file);
    return file;
  }

  async #flowOf(file: string, name: string, where: string): Promise<Flow<unknown>> {
    let mod = this.#modules.get(file);
    if (!mod) {
      const url = pathToFileURL(file).href;
      this.#inFlight++;
      mod = this.#importing.then(() => importFlowFile(url)).finally(() => this.#inFlight--);
      this.#importing = mod.catch(() => {});
      this.#modules.set(file, mod);
      mod.catch(() => this.#modules.delete(file));
    }
    const exports = await mod;
    const exported = Object.values(exports ?? {}).find(
      (v): v is Flow<unknown> => isFlow(v) && v.name === name,
    );
    if (exported) return exported;
    // A file that awaits its own flow.run() at top level never finishes importing; its flows
    // are constructed by then.
    const constructed = await Promise.race([
      waitForFlow(name),
      new Promise<undefined>((r) => setImmediate(() => r(undefined))),
    ]);
    if (!constructed) throw new FlowNotInBundleError(name, where);
    return constructed;
  }
}

/**
 * A Flow, also one made by another copy of the flow library (a bundle's "flowgate" may resolve
 * to the compiled package while this process runs from sources): it is used only through run().
 */
function isFlow(v: unknown): v is Flow<unknown> {
  if (v instanceof Flow) return true;
  const f = v as Partial<Flow<unknown>> | null;
  return (
    typeof f === "object" &&
    f !== null &&
    f.constructor?.name === "Flow" &&
    typeof f.name === "string" &&
    typeof f.run === "function"
  );
}
