import { argRefOf } from "./arg-refs.ts";
import type { ArgRef, GraphCommand, Measure, Outcome } from "./commands.ts";
import { linkNode } from "./node-links.ts";
import { Gate, NodeRun, type FailureDetail } from "./node-run.ts";
import { isFinished, type StateType } from "./states.ts";
import type { GraphSpec } from "./task-spec.ts";
import {
  addCounts,
  describeTrigger,
  emptyCounts,
  triggerPasses,
  type UpstreamCounts,
} from "./triggers.ts";

/**
 * The pure state machine of one graph run: it takes events (start, an attempt's outcome, a retry
 * that is due, cancellation) and returns the commands its shell must carry out. It does no I/O
 * and keeps no values, only states, lengths and failure details, so that LocalExecutor and the
 * cluster scheduler share one implementation of triggers, skips, retries and mapping.
 */
export class GraphState {
  readonly nodes: NodeRun[];
  private completeCount = 0;
  private out: GraphCommand[] = [];
  /** Work to evaluate, as flat (node, child) pairs: a map's children cost two numbers each, not an object. */
  private readonly ready: number[] = [];
  private cancelled = false;

  constructor(
    readonly graph: GraphSpec,
    private readonly keep: (node: number) => boolean = () => true,
  ) {
    this.nodes = graph.nodes.map((spec, i) => new NodeRun(i, spec));
    this.nodes.forEach((n) => linkNode(this.nodes, n));
  }

  get done(): boolean {
    return this.completeCount === this.nodes.length;
  }

  start(): GraphCommand[] {
    for (const n of this.nodes) if (n.gates === 0) this.ready.push(n.index, -1);
    if (this.nodes.length === 0) this.out.push({ type: "done" });
    return this.drain();
  }

  /** An attempt ended. Outcomes of runs that are no longer Running (cancelled) are ignored. */
  finished(node: number, child: number, outcome: Outcome): GraphCommand[] {
    const n = this.nodes[node]!;
    const state = child < 0 ? n.state : n.childState(child);
    if (state !== "Running") return [];
    if (outcome.type === "Success") {
      if (child < 0) {
        n.length = outcome.length ?? -1;
        n.innerLengths = outcome.innerLengths;
      } else if (n.childLengths) n.childLengths[child] = outcome.length ?? -1;
      this.finish(n, child, "Success", undefined);
    } else if (outcome.type === "Skipped") {
      this.finish(n, child, "Skipped", { message: outcome.message });
    } else {
      const attempts = child < 0 ? n.attempts : n.childAttempts![child]!;
      const detail = { message: outcome.message, stack: outcome.stack };
      if (attempts <= n.spec.maxRetries) {
        this.setState(n, child, "Retrying", detail);
        this.out.push({ type: "retry", node, child, delay: n.spec.retryDelay });
      } else {
        this.finish(n, child, outcome.type, detail);
      }
    }
    return this.drain();
  }

  /** A retry's delay has passed. */
  retryDue(node: number, child: number): GraphCommand[] {
    const n = this.nodes[node]!;
    if ((child < 0 ? n.state : n.childState(child)) === "Retrying") this.run(n, child);
    return this.drain();
  }

  /** Ends every unfinished task run as Cancelled. */
  cancel(message: string): GraphCommand[] {
    this.cancelled = true;
    for (const n of this.nodes) {
      if (n.complete) continue;
      if (n.width >= 0) {
        for (let c = 0; c < n.width; c++)
          if (!isFinished(n.childState(c))) this.finish(n, c, "Cancelled", { message });
        if (!n.complete) this.markComplete(n);
      } else {
        this.finish(n, -1, "Cancelled", { message });
      }
    }
    return this.drain();
  }

  /** The state of a node (child -1) or of one of its children. */
  stateOf(node: number, child = -1): StateType {
    const n = this.nodes[node]!;
    return child < 0 ? n.state : n.childState(child);
  }

  detailOf(node: number, child = -1): FailureDetail | undefined {
    const n = this.nodes[node]!;
    return child < 0 ? n.detail : n.childDetails.get(child);
  }

  private drain(): GraphCommand[] {
    while (this.ready.length > 0) {
      const child = this.ready.pop()!;
      const node = this.ready.pop()!;
      if (child < 0) this.evaluate(this.nodes[node]!);
      else this.evaluateChild(this.nodes[node]!, child);
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private evaluate(n: NodeRun): void {
    if (this.cancelled || n.state !== "Pending") return;
    if (n.spec.constant) {
      const v = n.spec.constant.value;
      if (Array.isArray(v)) {
        n.length = v.length;
        if (n.measure >= 2) n.innerLengths = v.map((x) => (Array.isArray(x) ? x.length : -1));
      }
      return this.finish(n, -1, "Success", undefined);
    }
    const counts = emptyCounts();
    for (const u of n.upstreams) addCounts(counts, this.nodes[u.node]!.counts);
    if (!n.spec.mapped) {
      const blocked = this.blocked(n, counts);
      if (blocked) return this.finish(n, -1, blocked.state, blocked.detail);
      return this.run(n, -1);
    }
    this.expand(n);
  }

  private blocked(n: NodeRun, counts: UpstreamCounts) {
    if (n.spec.skipOnUpstreamSkip && counts.skipped > 0)
      return { state: "Skipped" as const, detail: { message: "an upstream task was skipped" } };
    if (!triggerPasses(n.spec.trigger, counts))
      return {
        state: "TriggerFailed" as const,
        detail: { message: describeTrigger(n.spec.trigger, counts) },
      };
    return undefined;
  }

  private expand(n: NodeRun): void {
    const whole = emptyCounts();
    const childLevel: NodeRun[] = [];
    for (const u of n.upstreams) {
      const up = this.nodes[u.node]!;
      if (u.gate === Gate.expanded && up.width >= 0) childLevel.push(up);
      else addCounts(whole, up.counts);
    }
    const blocked = this.blocked(n, whole);
    if (blocked && (blocked.state === "Skipped" || childLevel.length === 0))
      return this.finish(n, -1, blocked.state, blocked.detail);
    let width = Infinity;
    for (const [argIndex, a] of n.spec.args.entries()) {
      if (a.kind !== "ref" || a.mode === "whole") continue;
      const up = this.nodes[a.node]!;
      const len = this.mappableLength(n, argIndex, up, a.mode);
      // An upstream that failed cannot be mapped over: that is the trigger's failure, not this task's.
      if (typeof len === "string")
        return blocked
          ? this.finish(n, -1, blocked.state, blocked.detail)
          : this.finish(n, -1, "Failed", { message: len });
      width = Math.min(width, len);
    }
    if (width === Infinity)
      return this.finish(n, -1, "Failed", {
        message: `mapped task '${n.spec.id}' has no mapped input; pass at least one list or mapped task to map()`,
      });
    n.width = width;
    n.wholeCounts = whole;
    n.childStates = new Uint8Array(width);
    n.childAttempts = new Uint8Array(width);
    if (n.measure >= 1) n.childLengths = new Int32Array(width).fill(-1);
    this.setState(n, -1, "Mapped", undefined);
    this.opened(n, Gate.expanded);
    if (width === 0) return this.markComplete(n);
    if (childLevel.length > 0) {
      n.childGates = new Uint16Array(width);
      for (let c = 0; c < width; c++) {
        let waiting = 0;
        for (const up of childLevel) if (!isFinished(up.childState(c))) waiting++;
        n.childGates[c] = waiting;
      }
    }
    for (let c = width - 1; c >= 0; c--)
      if (!n.childGates || n.childGates[c] === 0) this.ready.push(n.index, c);
  }

  /** The number of items a mapped arg offers, or why it cannot be mapped over. */
  private mappableLength(
    n: NodeRun,
    argIndex: number,
    up: NodeRun,
    mode: "mapped" | "flatten",
  ): number | string {
    const what = `task '${n.spec.id}' cannot map over '${up.spec.id}'`;
    if (up.spec.mapped) {
      if (up.width < 0) return `${what}: it ended ${up.state} without mapping`;
      if (mode === "mapped") return up.width;
      return this.flattenOffsets(n, argIndex, up.childLengths!, (c) => up.childState(c), what);
    }
    if (up.state !== "Success") return `${what}: it ended ${up.state}`;
    if (up.length < 0) return `${what}: its result is not a list`;
    if (mode === "mapped") return up.length;
    return this.flattenOffsets(n, argIndex, up.innerLengths ?? [], () => "Success", what);
  }

  private flattenOffsets(
    n: NodeRun,
    argIndex: number,
    lengths: ArrayLike<number>,
    stateOf: (i: number) => StateType,
    what: string,
  ): number | string {
    const offsets = new Int32Array(lengths.length + 1);
    for (let i = 0; i < lengths.length; i++) {
      const len = stateOf(i) === "Success" ? lengths[i]! : 0;
      if (len < 0) return `${what}: item ${i} of it is not a list, so it cannot be flattened`;
      offsets[i + 1] = offsets[i]! + len;
    }
    (n.flattenOffsets ??= new Map()).set(argIndex, offsets);
    return offsets[lengths.length]!;
  }

  private evaluateChild(n: NodeRun, c: number): void {
    if (this.cancelled || n.childState(c) !== "Pending") return;
    const counts = { ...n.wholeCounts! };
    for (const u of n.upstreams) {
      if (u.gate !== Gate.expanded) continue;
      const up = this.nodes[u.node]!;
      if (up.width < 0) continue;
      const s = up.childState(c);
      counts.total++;
      if (s === "Success" || s === "Mapped" || s === "Skipped") counts.successful++;
      if (s === "Skipped") counts.skipped++;
      if (s === "Failed" || s === "TriggerFailed" || s === "TimedOut" || s === "Cancelled")
        counts.failed++;
    }
    const blocked = this.blocked(n, counts);
    if (blocked) return this.finish(n, c, blocked.state, blocked.detail);
    this.run(n, c);
  }

  private run(n: NodeRun, child: number): void {
    let attempt: number;
    if (child < 0) attempt = ++n.attempts;
    else attempt = ++n.childAttempts![child]!;
    this.setState(n, child, "Running", undefined);
    this.out.push(new RunCommand(this, n.index, child, attempt, n.measure));
  }

  /** The argument references of a task run; stable once the run has been commanded. */
  argsOf(node: number, child: number): ArgRef[] {
    const n = this.nodes[node]!;
    return n.spec.args.map((a, i) => argRefOf(this.nodes, n, child, i, a));
  }

  private setState(n: NodeRun, child: number, state: StateType, detail: FailureDetail | undefined) {
    if (child < 0) {
      n.state = state;
      n.detail = detail;
    } else {
      n.setChildState(child, state);
      if (detail) n.childDetails.set(child, detail);
      else n.childDetails.delete(child);
    }
  }

  private finish(n: NodeRun, child: number, state: StateType, detail: FailureDetail | undefined) {
    this.setState(n, child, state, detail);
    if (state !== "Success")
      this.out.push({ type: "ended", node: n.index, child, state, message: detail?.message ?? "" });
    n.count(state);
    if (child < 0) {
      if (state !== "Mapped") this.opened(n, Gate.expanded);
      return this.markComplete(n);
    }
    for (const d of n.childDependents) {
      const dep = this.nodes[d]!;
      if (dep.childGates && child < dep.width && --dep.childGates[child]! === 0)
        this.ready.push(d, child);
    }
    if (++n.finishedChildren === n.width) this.markComplete(n);
  }

  private markComplete(n: NodeRun): void {
    n.complete = true;
    this.completeCount++;
    this.opened(n, Gate.complete);
    for (const u of n.upstreams) {
      const up = this.nodes[u.node]!;
      if (u.data && --up.dataConsumersLeft === 0) this.release(up);
    }
    if (n.dataConsumersLeft === 0) this.release(n);
    if (this.done) this.out.push({ type: "done" });
  }

  private release(n: NodeRun): void {
    if (n.released || !n.complete || this.keep(n.index)) return;
    n.released = true;
    this.out.push({ type: "release", node: n.index });
  }

  /** Opens the given gate of every dependent waiting on it. */
  private opened(n: NodeRun, gate: Gate): void {
    for (const d of n.dependents) {
      if (d.gate !== gate) continue;
      const dep = this.nodes[d.node]!;
      if (--dep.gates === 0) this.ready.push(d.node, -1);
    }
  }
}

/**
 * A `run` command whose argument references are made when first read, so that a map's
 * children waiting in a queue cost a few words each rather than a few small objects.
 */
class RunCommand {
  declare readonly type: "run";
  private cachedArgs: readonly ArgRef[] | undefined;

  constructor(
    private readonly graph: GraphState,
    readonly node: number,
    readonly child: number,
    readonly attempt: number,
    readonly measure: Measure,
  ) {}

  get args(): readonly ArgRef[] {
    return (this.cachedArgs ??= this.graph.argsOf(this.node, this.child));
  }
}

// On the prototype, so that a million queued children do not carry a field each for it.
Object.defineProperty(RunCommand.prototype, "type", { value: "run", enumerable: true });
