import { execFile } from "node:child_process";
import { join } from "node:path";
import { SlurmCommandError } from "./errors.ts";

/** How to reach Slurm: where its commands are and which slurm.conf they read. */
export interface SlurmCli {
  binDir?: string;
  slurmConf?: string;
}

export interface SlurmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a Slurm command; resolves with its exit code and output (never rejects on exit ≠ 0). */
export function runSlurm(
  cli: SlurmCli,
  cmd: string,
  args: string[],
  stdin?: string,
): Promise<SlurmResult> {
  const file = cli.binDir ? join(cli.binDir, cmd) : cmd;
  const env = cli.slurmConf ? { ...process.env, SLURM_CONF: cli.slurmConf } : process.env;
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env, timeout: 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") {
          reject(
            new SlurmCommandError(cmd, err.code ?? err.signal ?? "?", `${stderr}${err.message}`, {
              cause: err,
            }),
          );
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    // scancel, squeue and a failing sbatch exit without reading stdin; the EPIPE that writing
    // to them may raise says nothing the exit code and stderr do not.
    child.stdin?.on("error", () => {});
    child.stdin?.end(stdin ?? "");
  });
}

/** Like runSlurm, but throws SlurmCommandError when the command exits non-zero. */
export async function runSlurmOk(
  cli: SlurmCli,
  cmd: string,
  args: string[],
  stdin?: string,
): Promise<string> {
  const r = await runSlurm(cli, cmd, args, stdin);
  if (r.code !== 0) throw new SlurmCommandError(cmd, r.code, r.stderr || r.stdout);
  return r.stdout;
}

/** Job states in which the job still holds (or will hold) its processes. */
const liveStates = new Set([
  "PENDING",
  "CONFIGURING",
  "RUNNING",
  "SUSPENDED",
  "REQUEUED",
  "REQUEUE_HOLD",
  "REQUEUE_FED",
  "RESIZING",
  "SIGNALING",
  "STAGE_OUT",
]);

export const isLiveState = (state: string): boolean => liveStates.has(state);

/** A job as squeue or scontrol reports it. */
export interface JobInfo {
  state: string;
  reason: string;
  /** "code:signal", from scontrol only. */
  exitCode?: string;
}

/** squeue's `-o` format that `parseSqueue` reads. */
export const squeueFormat = "%i|%T|%r";

/** Parses `squeue -h -o '%i|%T|%r'` into job id → state and reason. */
export function parseSqueue(text: string): Map<string, JobInfo> {
  const jobs = new Map<string, JobInfo>();
  for (const line of text.split("\n")) {
    const [id, state, reason] = line.trim().split("|");
    if (id && state) jobs.set(id, { state: state.replace(/\+$/, ""), reason: reason ?? "" });
  }
  return jobs;
}

/** Parses one job of `scontrol show job -o <id>`. */
export function parseScontrolJob(line: string): JobInfo | undefined {
  const field = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(line)?.[1];
  const state = field("JobState");
  if (!state) return undefined;
  return { state, reason: field("Reason") ?? "", exitCode: field("ExitCode") };
}

/** The id in `sbatch --parsable` output ("123" or "123;cluster"). */
export function parseSbatch(stdout: string): string {
  const id = stdout.trim().split(";")[0] ?? "";
  if (!/^\d+(_\d+)?$/.test(id))
    throw new SlurmCommandError("sbatch", 0, `unexpected output ${JSON.stringify(stdout.trim())}`);
  return id;
}

/** A failure reason in Slurm's words: "Slurm job 12 FAILED (NonZeroExitCode), exit code 1". */
export function describeJobEnd(id: string, j: JobInfo | undefined): string {
  if (!j) return `Slurm job ${id} is no longer known to Slurm (ended before its state was read)`;
  const reason = j.reason && j.reason !== "None" ? ` (${j.reason})` : "";
  let exit = "";
  if (j.exitCode) {
    const [code, signal] = j.exitCode.split(":");
    exit =
      signal && signal !== "0"
        ? `, killed by signal ${signal}`
        : code && code !== "0"
          ? `, exit code ${code}`
          : "";
  }
  return `Slurm job ${id} ${j.state}${reason}${exit}`;
}
