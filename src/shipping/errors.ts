import { FlowgateError } from "../graph/errors.ts";

/**
 * Errors of the code-shipping layer. Each has a stable `FG_SHIPPING_<PROBLEM>` code and a message
 * that names the value at fault and the fix.
 */

/** The flow has no source file to bundle, or esbuild failed on it. */
export class BundleBuildError extends FlowgateError {
  constructor(message: string, options?: ErrorOptions) {
    super("FG_SHIPPING_BUNDLE_BUILD", message, options);
  }
}
