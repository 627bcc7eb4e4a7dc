import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The parts of a Kubernetes object the fake reads (objects are plain JSON). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; name: string; kind: string }[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
    [k: string]: unknown;
  };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- pod/service specs as sent
  status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
}

/** What the kubelet needs from the API server. */
export interface KubeletHost {
  secret(namespace: string, name: string): KubeObject | undefined;
  /** Replaces the status of a pod that still exists. */
  setStatus(namespace: string, name: string, status: Record<string, unknown>): void;
  unpullable(image: string): boolean;
}

interface Run {
  pod: KubeObject;
  dir: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  log: Buffer[];
  logBytes: number;
  removed: boolean;
  killReason?: string;
  retry?: NodeJS.Timeout;
  startedAt?: string;
}

const maxLogBytes = 1 << 20;
const now = () => new Date().toISOString();

/**
 * Runs each pod's single container as a local child process (its own process group):
 * command + args + env from the spec, `$(VAR)` expanded as Kubernetes does, secret volumes
 * written to a per-pod directory whose path replaces the mountPath in the command, args and
 * env. Reflects the process in the pod status the way a kubelet does with restartPolicy Never.
 */
export class FakeKubelet {
  readonly #runs = new Map<string, Run>();

  constructor(
    private readonly root: string,
    private readonly host: KubeletHost,
  ) {}

  start(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const dir = mkdtempSync(join(this.root, `${pod.metadata.name.slice(0, 40)}-`));
    const run: Run = { pod, dir, log: [], logBytes: 0, removed: false };
    this.#runs.set(key, run);
    setImmediate(() => this.#attempt(run));
  }

  #waiting(run: Run, reason: string, message: string): void {
    const c = run.pod.spec.containers[0];
    this.#status(run, "Pending", {
      name: c.name,
      image: c.image,
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason, message } },
    });
  }

  #status(run: Run, phase: string, containerStatus: Record<string, unknown>): void {
    if (run.removed) return;
    const m = run.pod.metadata;
    this.host.setStatus(m.namespace!, m.name, {
      phase,
      hostIP: "127.0.0.1",
      podIP: "127.0.0.1",
      startTime: run.startedAt ?? now(),
      containerStatuses: [containerStatus],
    });
  }

  #attempt(run: Run): void {
    if (run.removed) return;
    const retry = (): void => {
      run.retry = setTimeout(() => this.#attempt(run), 100);
    };
    const ns = run.pod.metadata.namespace!;
    const c = run.pod.spec.containers[0];
    if (this.host.unpullable(c.image))
      return this.#waiting(
        run,
        "ErrImagePull",
        `failed to pull and unpack image "${c.image}": not found`,
      );
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.valueFrom?.fieldRef?.fieldPath === "status.podIP") {
        env[e.name] = "127.0.0.1"; // the podIP this kubelet reports: pods share the host
        continue;
      }
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref) {
        env[e.name] = e.value ?? "";
        continue;
      }
      const s = this.host.secret(ns, ref.name);
      if (!s)
        return (
          this.#waiting(run, "CreateContainerConfigError", `secret "${ref.name}" not found`),
          retry()
        );
      env[e.name] = Buffer.from(s.data?.[ref.key] ?? "", "base64").toString();
    }
    const mounts: [string, string][] = [];
    for (const vm of c.volumeMounts ?? []) {
      const vol = (run.pod.spec.volumes ?? []).find((v: { name: string }) => v.name === vm.name);
      if (!vol?.secret) continue;
      const s = this.host.secret(ns, vol.secret.secretName);
      if (!s)
        return (
          this.#waiting(
            run,
            "ContainerCreating",
            `MountVolume.SetUp failed: secret "${vol.secret.secretName}" not found`,
          ),
          retry()
        );
      const dir = join(run.dir, "mounts", vm.name);
      mkdirSync(dir, { recursive: true });
      const items: { key: string; path: string }[] =
        vol.secret.items ?? Object.keys(s.data ?? {}).map((k) => ({ key: k, path: k }));
      for (const it of items)
        writeFileSync(join(dir, it.path), Buffer.from(s.data?.[it.key] ?? "", "base64"), {
          mode: 0o600,
        });
      mounts.push([vm.mountPath, dir]);
    }
    const local = (s: string) => mounts.reduce((acc, [from, to]) => acc.split(from).join(to), s);
    const expand = (s: string) =>
      local(s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m));
    for (const k of Object.keys(env)) env[k] = local(env[k]!);
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map(expand);
    if (!c.command?.length)
      return this.#waiting(
        run,
        "RunContainerError",
        "the fake API server needs an explicit command: it has no image entrypoints",
      );
    const tmp = join(run.dir, "tmp");
    mkdirSync(tmp, { recursive: true });
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: run.dir,
      env: { PATH: process.env.PATH ?? "", HOME: run.dir, TMPDIR: tmp, ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    run.child = child;
    run.startedAt = now();
    const collect = (b: Buffer) => {
      run.log.push(b);
      run.logBytes += b.length;
      while (run.logBytes > maxLogBytes && run.log.length > 1)
        run.logBytes -= run.log.shift()!.length;
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    run.exited = new Promise((resolve) => {
      child.on("error", (e) => {
        this.#status(run, "Failed", {
          name: c.name,
          image: c.image,
          ready: false,
          started: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode: 128,
              reason: "StartError",
              message: e.message,
              finishedAt: now(),
            },
          },
        });
        resolve();
      });
      child.on("exit", (code, signal) => {
        killGroup(child.pid!); // anything the command left behind goes with it, as with a container
        const signals: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };
        const exitCode = code ?? 128 + (signals[signal ?? ""] ?? 0);
        const reason = run.killReason ?? (exitCode === 0 ? "Completed" : "Error");
        const terminated = {
          exitCode,
          reason,
          startedAt: run.startedAt,
          finishedAt: now(),
          ...(signal ? { signal: signals[signal] } : {}),
        };
        this.#status(run, exitCode === 0 ? "Succeeded" : "Failed", {
          name: c.name,
          image: c.image,
          ready: false,
          started: false,
          restartCount: 0,
          state: { terminated },
        });
        resolve();
      });
    });
    child.on("spawn", () => {
      if (child.exitCode === null && child.signalCode === null) {
        this.#status(run, "Running", {
          name: c.name,
          image: c.image,
          ready: true,
          started: true,
          restartCount: 0,
          containerID: `fake://${child.pid}`,
          state: { running: { startedAt: run.startedAt } },
        });
      }
    });
  }

  /** Whether the pod's process is still running (a delete must then wait for it). */
  running(namespace: string, name: string): boolean {
    const c = this.#runs.get(`${namespace}/${name}`)?.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  async stop(namespace: string, name: string, graceSeconds: number): Promise<void> {
    const run = this.#runs.get(`${namespace}/${name}`);
    if (!run) return;
    clearTimeout(run.retry);
    run.removed = true;
    if (!run.child || !run.exited || !this.running(namespace, name)) return;
    signal(run.child, "SIGTERM");
    const t = setTimeout(() => signal(run.child!, "SIGKILL"), graceSeconds * 1000);
    await run.exited;
    clearTimeout(t);
  }

  /** Kills the pod's process as the node would (OOM killer, eviction): SIGKILL, with `reason` in the status. */
  kill(namespace: string, name: string, reason: string): boolean {
    const run = this.#runs.get(`${namespace}/${name}`);
    if (!run?.child || !this.running(namespace, name)) return false;
    run.killReason = reason;
    signal(run.child, "SIGKILL");
    return true;
  }

  log(namespace: string, name: string): string | undefined {
    const run = this.#runs.get(`${namespace}/${name}`);
    return run ? Buffer.concat(run.log).toString() : undefined;
  }

  /** Forgets a deleted pod and removes its directory. */
  forget(namespace: string, name: string): void {
    const run = this.#runs.get(`${namespace}/${name}`);
    if (!run) return;
    run.removed = true;
    clearTimeout(run.retry);
    this.#runs.delete(`${namespace}/${name}`);
    rmSync(run.dir, { recursive: true, force: true });
  }

  /** Pids of pod processes still running. */
  pids(): number[] {
    return [...this.#runs.values()]
      .filter((r) => r.child && r.child.exitCode === null && r.child.signalCode === null)
      .map((r) => r.child!.pid!);
  }

  /** Kills every process and waits for them. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#runs.values()].map(async (r) => {
        r.removed = true;
        clearTimeout(r.retry);
        if (r.child && r.child.exitCode === null && r.child.signalCode === null) {
          signal(r.child, "SIGKILL");
          await r.exited;
        }
      }),
    );
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* no process left in the group */
  }
}

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, sig);
  } catch {
    child.kill(sig);
  }
}
