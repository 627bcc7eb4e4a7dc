import type { Command } from "commander";
import {
  collect,
  authOf,
  serverAddress,
  serverOptions,
  type ServerFlags,
} from "../server-flags.ts";
import { loadFlowFile } from "../load-flow-file.ts";
import { UsageError } from "../usage-error.ts";

interface RegisterFlags extends ServerFlags {
  project?: string;
  label: string[];
  image?: string;
  imagePath?: string;
  json?: boolean;
}

/**
 * `flowgate register FILE --server URL [--project P] [--label L]… [--image NAME --image-path P]`:
 * registers the file's flow; a new version only when its bundle changed.
 */
export function registerRegister(program: Command): void {
  const cmd = program
    .command("register")
    .description("register a flow file's flow with a flowgate server (idempotent)")
    .argument("<file>", "flow file: its default export, or an export named `flow`")
    .option("--project <name>", "the project the flow belongs to (default: default)")
    .option(
      "--label <label>",
      "a label the flow's runs need on their agent (repeatable)",
      collect,
      [],
    )
    .option("--image <name>", "store the flow as this container image instead of its bundle")
    .option("--image-path <path>", "with --image: the flow file's path inside the image")
    .option("--json", "print the registration as JSON");
  serverOptions(cmd).action(async (file: string, flags: RegisterFlags) => {
    if ((flags.image === undefined) !== (flags.imagePath === undefined))
      throw new UsageError(
        "--image and --image-path go together: the image and the flow file's path in it",
      );
    const flow = await loadFlowFile(file);
    const { registerFlow } = await import("../../agent/index.ts");
    const r = await registerFlow(flow, {
      server: serverAddress(flags),
      auth: authOf(flags),
      project: flags.project,
      labels: flags.label,
      ...(flags.image && flags.imagePath
        ? { storage: { type: "image", image: flags.image, path: flags.imagePath } as const }
        : {}),
    });
    if (flags.json) process.stdout.write(`${JSON.stringify({ flow: flow.name, ...r })}\n`);
    else
      process.stdout.write(
        `Flow '${flow.name}' ${r.created ? "registered as" : "unchanged at"} version ${r.version} (id ${r.flowId}, ${r.hash.slice(0, 12)})\n`,
      );
  });
}
