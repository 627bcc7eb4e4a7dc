import { BackendStartError } from "../../errors.ts";
import {
  describeJobEnd,
  isLiveState,
  parseSbatch,
  parseScontrolJob,
  parseSqueue,
  runSlurm,
  runSlurmOk,
  squeueFormat,
  type JobInfo,
  type SlurmCli,
} from "./slurm-cli.ts";
import { SlurmCommandError } from "./errors.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The Slurm side of the backend: submits batch jobs, reads their states in one squeue call
 * per check, remembers why each job ended (scontrol's state, reason and exit code), and
 * cancels jobs until squeue no longer lists them.
 */
export class SlurmJobs {
  /** Why jobs ended, by job id: a reason string, or 0 for a clean exit. */
  readonly #ended = new Map<string, string | 0>();

  constructor(private readonly cli: SlurmCli & { stopTimeoutMs: number }) {}

  /** sbatch; throws BackendStartError with sbatch's own words when Slurm refuses the job. */
  async submit(args: string[], script: string, what: string): Promise<string> {
    const r = await runSlurm(this.cli, "sbatch", ["--parsable", ...args], script);
    if (r.code !== 0) {
      // e.g. "Batch job submission failed: Invalid partition name specified"
      const why = (r.stderr || r.stdout)
        .trim()
        .split("\n")
        .map((l) => l.replace(/^sbatch: error: /, ""))
        .join("; ");
      throw new BackendStartError(`Slurm refused the job for ${what}: ${why}`);
    }
    return parseSbatch(r.stdout);
  }

  /** Whether each job still holds its processes; an absent id counts as alive (not submitted yet). */
  async alive(ids: (string | undefined)[]): Promise<boolean[]> {
    const known = [...new Set(ids.filter((i): i is string => !!i))];
    if (known.length === 0) return ids.map(() => true);
    const jobs = await this.#squeue(known, true);
    const live = (id: string) => isLiveState(jobs.get(id)?.state ?? "");
    const ended = known.filter((id) => !live(id) && !this.#ended.has(id));
    await Promise.all(
      ended.map(async (id) => this.#ended.set(id, await this.#why(id, jobs.get(id)))),
    );
    return ids.map((id) => !id || live(id));
  }

  /** Why a job ended, once `alive` has seen it gone; 0 when it completed with exit code 0. */
  endReason(id: string): string | 0 | undefined {
    return this.#ended.get(id);
  }

  /** Ids of the current user's jobs whose name starts with `prefix` that Slurm still lists. */
  async list(prefix: string): Promise<string[]> {
    const out = await runSlurmOk(this.cli, "squeue", ["-h", "--me", "-o", "%i|%j"]);
    return out.split("\n").flatMap((l) => {
      const [id, name] = l.trim().split("|");
      return id && name?.startsWith(prefix) ? [id] : [];
    });
  }

  /** scancel (SIGTERM, then SIGKILL after Slurm's KillWait); resolves once squeue no longer lists the jobs. */
  async cancel(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await runSlurm(this.cli, "scancel", ids);
    const killAt = Date.now() + this.cli.stopTimeoutMs;
    let killed = false;
    for (;;) {
      const left = await this.#squeue(ids, false);
      if (left.size === 0) return;
      if (!killed && Date.now() > killAt) {
        killed = true;
        await runSlurm(this.cli, "scancel", ["--signal=KILL", "--full", ...left.keys()]);
      } else if (Date.now() > killAt + 15_000) {
        const still = [...left.keys()].join(", ");
        throw new SlurmCommandError(
          "scancel",
          0,
          `jobs ${still} are still listed after SIGKILL; the stop is retried`,
        );
      }
      await sleep(200);
    }
  }

  async #why(id: string, fromSqueue: JobInfo | undefined): Promise<string | 0> {
    const r = await runSlurm(this.cli, "scontrol", ["show", "job", "-o", id]);
    const j = (r.code === 0 ? parseScontrolJob(r.stdout) : undefined) ?? fromSqueue;
    if (j?.state === "COMPLETED" && (j.exitCode ?? "0:0") === "0:0") return 0;
    return describeJobEnd(id, j);
  }

  /** squeue for these ids; `all` includes jobs that ended within MinJobAge. */
  async #squeue(ids: string[], all: boolean): Promise<Map<string, JobInfo>> {
    const states = all ? ["--states=all"] : [];
    const r = await runSlurm(this.cli, "squeue", [
      "-h",
      ...states,
      "-j",
      ids.join(","),
      "-o",
      squeueFormat,
    ]);
    // squeue exits 1 when none of the ids is known any more: they all ended long ago.
    if (r.code !== 0 && /Invalid job id/i.test(r.stderr)) return new Map();
    if (r.code !== 0) throw new SlurmCommandError("squeue", r.code, r.stderr || r.stdout);
    return parseSqueue(r.stdout);
  }
}
