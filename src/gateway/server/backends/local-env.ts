import type { ClusterRecord } from "../cluster-record.ts";
import { clusterProcessEnv } from "./cluster-commands.ts";
import type { UnixAccount } from "./unix-account.ts";

/** Gateway variables a cluster process may inherit: how to find programs and speak the locale. */
const inherited = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"] as const;

/**
 * The whole environment of a local cluster process, nothing inherited beyond `inherited`: the
 * account's HOME/USER/LOGNAME/SHELL, then the cluster's own (its `environment` option, its
 * credentials and periods). The gateway's other variables (its encryption key, cloud
 * credentials, …) never reach a user's task.
 */
export function localProcessEnv(
  account: UnixAccount,
  c?: ClusterRecord,
  launchEnv: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of inherited) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  Object.assign(env, {
    HOME: account.home,
    USER: account.name,
    LOGNAME: account.name,
    ...(account.shell ? { SHELL: account.shell } : {}),
  });
  return c ? { ...env, ...clusterProcessEnv(c, launchEnv) } : env;
}
