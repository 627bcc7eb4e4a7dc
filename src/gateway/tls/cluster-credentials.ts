import {
  isCertificateName,
  makeSelfSignedCredentials,
  type SelfSignedCredentials,
} from "../../common/index.ts";
import { InvalidCredentialsNameError } from "./errors.ts";

/** A gateway cluster's TLS credentials: one certificate that is also its CA (CN=flowgate-<name>). */
export type ClusterCredentials = SelfSignedCredentials;

/**
 * Makes the per-cluster credentials of a gateway cluster: a certificate that is its own CA,
 * CN=flowgate-<clusterName>, valid for a year, without host names (verify with
 * `checkServerIdentity: () => undefined`). Throws InvalidCredentialsNameError for an unusable name.
 */
export async function makeClusterCredentials(clusterName: string): Promise<ClusterCredentials> {
  if (!isCertificateName(clusterName, 200)) throw new InvalidCredentialsNameError(clusterName);
  return makeSelfSignedCredentials(`flowgate-${clusterName}`, { days: 365, hosts: [] });
}
