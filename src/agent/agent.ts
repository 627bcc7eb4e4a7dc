import { setTimeout as sleep } from "node:timers/promises";
import type { ClaimedRun } from "../server/api/index.ts";
import { ServerClient } from "../server/client/index.ts";
import { ServerRequestError } from "../server/errors.ts";
import {
  resolveAgentOptions,
  type AgentOptions,
  type ResolvedAgentOptions,
} from "./agent-options.ts";
import { FlowLoader } from "./flow-loader.ts";
import { RunExecution } from "./run-execution.ts";
import { SecretSource, takeSecretVariables } from "./secrets/secret-source.ts";

/**
 * A flowgate agent: registers with the server, long-polls it for ready runs whose labels are a
 * subset of its own (the server hands each run to one agent), executes up to `concurrency` of
 * them at once (see RunExecution), heartbeats, and follows each run's events to stop it as
 * soon as it is cancelled. `stop()` (the CLI calls it on SIGTERM/SIGINT) stops claiming,
 * cancels its runs, stops their clusters, reports them and deregisters.
 */
export class Agent {
  readonly options: ResolvedAgentOptions;
  readonly server: ServerClient;
  #id = 0;
  readonly #runs = new Map<number, RunExecution>();
  readonly #loader: FlowLoader;
  readonly #secrets: SecretSource;
  readonly #stopping = new AbortController();
  #slotFreed: (() => void) | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #loop: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;
  #whenStopped!: () => void;
  /** Settles once `stop()` has finished. */
  readonly stopped = new Promise<void>((resolve) => (this.#whenStopped = resolve));

  private constructor(options: AgentOptions) {
    this.options = resolveAgentOptions(options);
    this.server = new ServerClient({ address: this.options.server, auth: this.options.auth });
    this.#loader = new FlowLoader(this.server, this.options.bundleDir);
    this.#secrets = new SecretSource(this.options.secretsFile, takeSecretVariables());
  }

  /**
   * Registers an agent with the server and starts claiming runs. Throws AgentOptionsError for
   * bad options, SecretsFileError for an unusable secrets file, and the server client's errors
   * when the server cannot be reached.
   */
  static async start(options: AgentOptions): Promise<Agent> {
    const agent = new Agent(options);
    await agent.#register();
    agent.#loop = agent.#claimLoop();
    return agent;
  }

  /** The id the server gave this agent. */
  get id(): number {
    return this.#id;
  }

  /** Ids of the runs executing now. */
  get runs(): number[] {
    return [...this.#runs.keys()];
  }

  /** Stops claiming, cancels the runs going on (their clusters stop), reports them, deregisters. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#note(`Stopping agent ${this.options.name} (${this.#runs.size} runs going on)…`);
      this.#stopping.abort();
      for (const r of this.#runs.values()) r.stop("shutdown");
      await this.#loop;
      await Promise.all([...this.#runs.values()].map((r) => r.done));
      clearInterval(this.#heartbeat);
      await this.server.deregisterAgent(this.#id).catch(() => {});
      this.#note(`Agent ${this.options.name} stopped.`);
      this.#whenStopped();
    })();
    return this.#stopped;
  }

  async #register(): Promise<void> {
    const o = this.options;
    const r = await this.server.registerAgent({
      name: o.name,
      labels: [...o.labels],
      concurrency: o.concurrency,
      ...(o.gateway ? { gateway: o.gateway } : {}),
    });
    this.#id = r.agent.id;
    clearInterval(this.#heartbeat);
    const every = Math.max(100, Math.min(r.heartbeatMs, r.timeoutMs / 3));
    this.#heartbeat = setInterval(() => void this.#beat(), every);
    this.#heartbeat.unref();
  }

  async #beat(): Promise<void> {
    try {
      const { cancel } = await this.server.heartbeat(this.#id, { runs: this.runs });
      for (const id of cancel) this.#runs.get(id)?.stop("cancel");
    } catch (e) {
      if (!this.#stopping.signal.aborted) this.#note(`Heartbeat failed: ${String(e)}`);
    }
  }

  async #claimLoop(): Promise<void> {
    const signal = this.#stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      const free = this.options.concurrency - this.#runs.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.#slotFreed = resolve));
        continue;
      }
      try {
        const r = await this.server.claim(
          this.#id,
          { max: Math.min(free, 100), waitMs: this.options.claimWaitMs },
          signal,
        );
        failures = 0;
        for (const c of r.runs) this.#begin(c);
        for (const id of r.cancel) this.#runs.get(id)?.stop("cancel");
      } catch (e) {
        if (signal.aborted) break;
        failures++;
        // 404/409: the server forgot this agent or declared it gone (its runs are Crashed).
        if (e instanceof ServerRequestError && (e.status === 404 || e.status === 409)) {
          this.#note(`The server forgot agent ${this.#id}; registering again…`);
          await this.#register().catch(() => {});
        } else this.#note(`Claiming runs failed: ${String(e)}; trying again…`);
        await sleep(Math.min(5000, 100 * 2 ** failures), undefined, { signal }).catch(() => {});
      }
    }
  }

  #begin(claimed: ClaimedRun): void {
    const execution = new RunExecution(
      {
        server: this.server,
        agentId: this.#id,
        loader: this.#loader,
        secrets: this.#secrets,
        options: this.options,
        note: (m) => this.#note(m),
      },
      claimed,
    );
    this.#runs.set(execution.id, execution);
    if (this.#stopping.signal.aborted) execution.stop("shutdown");
    const events = new AbortController();
    void this.#followCancel(execution, events.signal);
    void execution.done.finally(() => {
      events.abort();
      this.#runs.delete(execution.id);
      this.#slotFreed?.();
      this.#slotFreed = undefined;
    });
  }

  /** Stops the run the moment the server says it is Cancelling (heartbeats are the fallback). */
  async #followCancel(execution: RunExecution, signal: AbortSignal): Promise<void> {
    try {
      for await (const ev of this.server.runEvents(execution.id, signal))
        if (ev.type === "run" && ev.run.state === "Cancelling") execution.stop("cancel");
    } catch {
      // the heartbeat's cancel list covers a lost event stream
    }
  }

  #note(message: string): void {
    process.stderr.write(`[agent ${this.options.name}] ${message}\n`);
  }
}
