/**
 * Code shipping: the one place that knows where flowgate's JavaScript and caches are, bundles
 * flow files for cluster workers, loads those bundles on workers (in worker mode), and loads
 * users' TypeScript flow files.
 *
 * ```ts
 * import { processEntry, threadRuntime, bundleDir } from "./shipping/index.ts";
 * spawn(process.execPath, [await processEntry(), "worker", address, "--bundle-dir", bundleDir()]);
 * ```
 */
export {
  packageRoot,
  codeShape,
  codeDir,
  codeModule,
  codeFile,
  cacheDir,
  sourceBuildDir,
  bundleDir,
  resolveHookUrl,
} from "./code-location.ts";
export type { CodeShape } from "./code-location.ts";
export { processEntry } from "./process-entry-build.ts";
export { threadRuntime, threadRuntimeOrSources, runningRuntime } from "./thread-runtime.ts";
export type { ThreadRuntime } from "./thread-runtime.ts";
export { bundleFlow, builtBundle } from "./flow-bundler.ts";
export type { FlowBundle } from "./flow-bundler.ts";
export { sourceFingerprint } from "./source-fingerprint.ts";
export { removeStaleBuilds } from "./stale-builds.ts";
export { enterWorkerMode, inWorkerMode, importFlowFile, noteSuppressedRun } from "./worker-mode.ts";
export { BundleBuildError } from "./errors.ts";
