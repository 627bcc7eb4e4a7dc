/** For flowgate's own layers and tests only; not a public API. */
export * from "./graph/index.ts";
export { FlowTaskHost, enterWorkerMode, inWorkerMode, waitForFlow } from "./flow/index.ts";
