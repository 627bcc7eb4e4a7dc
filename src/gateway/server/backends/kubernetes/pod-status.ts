import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";

/** Waiting reasons after which a container will not start without someone changing something. */
const fatalWaiting = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "ErrImageNeverPull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
  "CrashLoopBackOff",
]);

const remedy: Record<string, string> = {
  OOMKilled: "; give it more memory (worker_memory / scheduler_memory)",
  ErrImagePull: "; check the image option and that the cluster can pull it",
  ImagePullBackOff: "; check the image option and that the cluster can pull it",
  InvalidImageName: "; check the image option",
};

function describeContainer(cs: V1ContainerStatus): string | undefined {
  const t = cs.state?.terminated;
  if (t) {
    const why = t.reason && t.reason !== "Error" && t.reason !== "Completed" ? `${t.reason}, ` : "";
    const msg = t.message ? `: ${t.message.trim()}` : "";
    return `container ${cs.name} ${why}exited with code ${t.exitCode}${msg}${remedy[t.reason ?? ""] ?? ""}`;
  }
  const w = cs.state?.waiting;
  if (w?.reason && fatalWaiting.has(w.reason)) {
    return `container ${cs.name} cannot start: ${w.reason}${w.message ? `: ${w.message.trim()}` : ""}${remedy[w.reason] ?? ""}`;
  }
  return undefined;
}

/**
 * Why a pod is dead or will never run, in words for a stop reason ("container flowgate
 * OOMKilled, exited with code 137; give it more memory …"), or undefined while it is pending
 * normally, running, or terminating at our request.
 */
export function podFailure(pod: V1Pod): string | undefined {
  for (const cs of [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ]) {
    const d = describeContainer(cs);
    if (d) return d;
  }
  const phase = pod.status?.phase;
  if (phase === "Failed" || phase === "Succeeded") {
    const why = [pod.status?.reason, pod.status?.message].filter(Boolean).join(": ");
    return `pod ${phase.toLowerCase()}${why ? `: ${why}` : ""}`;
  }
  return undefined;
}

/** A short status for log headers: "Running", "Pending (Unschedulable: 0/3 nodes …)", "Failed: …". */
export function podSummary(pod: V1Pod): string {
  const failure = podFailure(pod);
  const phase = pod.status?.phase ?? "Pending";
  if (failure) return `${phase === "Pending" ? "Pending" : "Failed"}: ${failure}`;
  if (pod.metadata?.deletionTimestamp) return "Terminating";
  if (phase === "Pending") {
    const c = pod.status?.conditions?.find((x) => x.status === "False" && x.reason);
    const w = pod.status?.containerStatuses?.[0]?.state?.waiting;
    const why = c ? `${c.reason}${c.message ? `: ${c.message}` : ""}` : w?.reason;
    return why ? `Pending (${why})` : "Pending";
  }
  return phase;
}
