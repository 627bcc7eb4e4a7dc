/**
 * Worker-mode details the flow library and the bundle host use beyond shipping/'s index.ts: the
 * marker for a flow that loading never constructed, and the promise that never settles for
 * calls made on a worker. Not part of flowgate's public API.
 */
export { FLOW_NOT_CONSTRUCTED, neverSettles, onClusterWorker } from "./worker-mode.ts";
