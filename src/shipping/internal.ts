/**
 * What sibling layers and tests use from shipping/ beyond its public surface
 * (index.ts). Not part of flowgate's public API.
 */
export { FLOW_NOT_CONSTRUCTED, neverSettles, onClusterWorker } from "./worker-mode.ts";
