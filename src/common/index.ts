/**
 * Support code every layer may use: self-signed TLS credentials and the Prometheus text writer.
 *
 * ```ts
 * import { makeSelfSignedCredentials, PrometheusText } from "../common/index.ts";
 * const credentials = await makeSelfSignedCredentials("my-cluster");
 * const text = new PrometheusText().family("flowgate_workers", "gauge", "Workers").sample("flowgate_workers", 2);
 * ```
 */
export { PrometheusText, PROMETHEUS_CONTENT_TYPE } from "./prometheus-text.ts";
export {
  makeSelfSignedCredentials,
  isCertificateName,
  MAX_COMMON_NAME_LENGTH,
} from "./tls/self-signed-credentials.ts";
export type { SelfSignedCredentials, SelfSignedOptions } from "./tls/self-signed-credentials.ts";
