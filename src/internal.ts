/** For flowgate's own layers and tests only; not a public API. */
export * from "./graph/index.ts";
export { FlowTaskHost, waitForFlow } from "./flow/index.ts";
export { enterWorkerMode, inWorkerMode } from "./shipping/index.ts";
