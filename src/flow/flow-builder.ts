import type { ArgSpec, EdgeMode, GraphSpec, TaskSpec } from "../graph/index.ts";
import { FlowDefinitionError } from "./errors.ts";
import type { Ref } from "./ref.ts";
import type { ResolvedTaskOptions } from "./task-options.ts";

/** What every task defined with `task()` is to the builder. */
export interface TaskDefinition {
  readonly key: string;
  readonly fn: (...args: never[]) => unknown;
  readonly options: ResolvedTaskOptions;
}

export interface ParameterDefinition {
  readonly name: string;
  readonly default?: unknown;
  readonly hasDefault: boolean;
  readonly required: boolean;
}

type BuildArg = { kind: "value"; value: unknown } | { kind: "ref"; node: number; mode: EdgeMode };

interface BuildNode {
  readonly id: string;
  readonly task?: TaskDefinition;
  readonly constant?: unknown;
  readonly parameter?: ParameterDefinition;
  readonly args: BuildArg[];
  readonly mapped: boolean;
  readonly upstream: Set<number>;
}

/** A ref as the builder makes it: the node's index in its builder. */
export class RefImpl implements Ref<unknown> {
  constructor(
    readonly builder: FlowBuilder,
    readonly node: number,
    readonly name: string,
  ) {}
  toString(): string {
    return `Ref(${this.name})`;
  }
}

let current: FlowBuilder | undefined;

/** The builder of the flow whose build function is running; throws outside one. */
export function currentBuilder(what: string): FlowBuilder {
  if (!current)
    throw new FlowDefinitionError(
      `${what} was called outside a flow's build function; call it inside new Flow(name, () => { … })`,
    );
  return current;
}

/** A flow's graph once built: the spec plus what the runner needs to map refs and names. */
export interface BuiltGraph {
  readonly spec: GraphSpec;
  readonly tasks: ReadonlyMap<string, TaskDefinition>;
  readonly parameters: readonly (ParameterDefinition & { node: number })[];
  /** graph node index by task run name */
  readonly byName: ReadonlyMap<string, number>;
  /** graph node index of a ref made by this flow's builder */
  nodeOf(ref: Ref<unknown>): number | undefined;
  readonly outputs: unknown;
  readonly referenceTasks: readonly number[] | undefined;
}

/** Records task calls while a flow's build function runs, then produces its graph. */
export class FlowBuilder {
  private readonly nodes: BuildNode[] = [];
  private readonly tasks = new Map<string, TaskDefinition>();
  private readonly names = new Map<string, number>();
  private readonly callCounts = new Map<string, number>();
  referenceTasks: Ref<unknown>[] | undefined;

  constructor(readonly flowName: string) {}

  static build(flowName: string, build: () => unknown): BuiltGraph {
    if (current)
      throw new FlowDefinitionError(
        `flow '${flowName}' was built inside another flow's build function; define flows at module level`,
      );
    const b = new FlowBuilder(flowName);
    current = b;
    let outputs: unknown;
    try {
      outputs = build();
    } finally {
      current = undefined;
    }
    if (outputs instanceof Promise) {
      // Its task calls after an await fail too; that rejection is this error's, not unhandled.
      outputs.catch(() => {});
      throw new FlowDefinitionError(
        `flow '${flowName}': the build function returned a Promise; it must be synchronous (tasks run later, not while building)`,
      );
    }
    return b.finish(outputs);
  }

  addTask(
    task: TaskDefinition,
    args: readonly unknown[],
    mapped: boolean,
    upstream: readonly unknown[],
  ): Ref<unknown> {
    const owner = this.tasks.get(task.key);
    if (owner && owner !== task)
      throw new FlowDefinitionError(
        `flow '${this.flowName}' has two different tasks named '${task.key}'; give one of them another name with task('otherName', fn)`,
      );
    const clash = this.names.get(task.key);
    if (clash !== undefined && !owner && this.nodes[clash]!.parameter)
      throw new FlowDefinitionError(
        `flow '${this.flowName}': task '${task.key}' has the name of a parameter; rename one of them`,
      );
    this.tasks.set(task.key, task);
    const count = (this.callCounts.get(task.key) ?? 0) + 1;
    this.callCounts.set(task.key, count);
    const id = count === 1 ? task.key : `${task.key}-${count}`;
    const buildArgs = args.map((a, i) => this.toArg(id, i, a, mapped));
    if (mapped && !buildArgs.some((a) => a.kind === "ref" && a.mode !== "whole"))
      throw new FlowDefinitionError(
        `${id}.map() got nothing to map over; pass a list, a task result or flatten(...) as at least one argument`,
      );
    return this.push({
      id,
      task,
      args: buildArgs,
      mapped,
      upstream: new Set(upstream.map((u, i) => this.refNode(u, `upstreamTasks[${i}] of '${id}'`))),
    });
  }

  addParameter(p: ParameterDefinition): Ref<unknown> {
    if (this.names.has(p.name))
      throw new FlowDefinitionError(
        `flow '${this.flowName}' already has a parameter or task named '${p.name}'; parameter names must be unique`,
      );
    return this.push({ id: p.name, parameter: p, args: [], mapped: false, upstream: new Set() });
  }

  addUpstream(downstream: unknown, upstreams: readonly unknown[]): void {
    const d = this.refNode(downstream, "the downstream task");
    for (const [i, u] of upstreams.entries())
      this.nodes[d]!.upstream.add(this.refNode(u, `upstream ${i}`));
  }

  private push(n: BuildNode): Ref<unknown> {
    if (this.names.has(n.id))
      throw new FlowDefinitionError(
        `flow '${this.flowName}' already has a task run named '${n.id}'; give task '${n.task?.key ?? n.id}' another name`,
      );
    const index = this.nodes.length;
    this.nodes.push(n);
    this.names.set(n.id, index);
    return new RefImpl(this, index, n.id);
  }

  private refNode(value: unknown, what: string): number {
    if (!(value instanceof RefImpl) || value.builder !== this)
      throw new FlowDefinitionError(
        `${what} in flow '${this.flowName}' is not a task result of this flow; pass the value a task call returned inside this build function`,
      );
    return value.node;
  }

  private toArg(id: string, i: number, a: unknown, mapped: boolean): BuildArg {
    const what = `argument ${i} of '${id}'`;
    if (isWrapper(a, "unmapped")) {
      if (!mapped)
        throw new FlowDefinitionError(
          `${what}: unmapped() is only for map(); pass the value directly`,
        );
      return this.toArg(id, i, a.value, false);
    }
    if (isWrapper(a, "flatten")) {
      if (a.value instanceof RefImpl)
        return { kind: "ref", node: this.refNode(a.value, what), mode: "flatten" };
      if (!Array.isArray(a.value) || !a.value.every(Array.isArray))
        throw new FlowDefinitionError(
          `${what}: flatten() needs a list of lists or a task result, got ${JSON.stringify(a.value)?.slice(0, 80)}`,
        );
      const flat = a.value.flat(1);
      return mapped ? this.constantList(id, i, flat) : { kind: "value", value: flat };
    }
    if (a instanceof RefImpl)
      return { kind: "ref", node: this.refNode(a, what), mode: mapped ? "mapped" : "whole" };
    if (holdsRef(a))
      throw new FlowDefinitionError(
        `${what} is a list or object that holds task results; pass each result as its own argument, or collect them in a task`,
      );
    if (!mapped) return { kind: "value", value: a };
    if (!Array.isArray(a))
      throw new FlowDefinitionError(
        `${what}: map() needs a list, a task result or flatten(...), got ${typeof a}; wrap a value that every child gets in unmapped()`,
      );
    return this.constantList(id, i, a);
  }

  /** A constant list mapped over becomes a node of its own, so the map can refer to it. */
  private constantList(id: string, i: number, list: unknown[]): BuildArg {
    this.push({
      id: `${id}.arg${i}`,
      constant: list,
      args: [],
      mapped: false,
      upstream: new Set(),
    });
    return { kind: "ref", node: this.nodes.length - 1, mode: "mapped" };
  }

  private finish(outputs: unknown): BuiltGraph {
    const order = this.topologicalOrder();
    const position = new Int32Array(this.nodes.length);
    order.forEach((n, i) => (position[n] = i));
    const specs: TaskSpec[] = order.map((n) => this.spec(this.nodes[n]!, position));
    const byName = new Map(order.map((n, i) => [this.nodes[n]!.id, i] as const));
    const parameters = order.flatMap((n, i) => {
      const p = this.nodes[n]!.parameter;
      return p ? [{ ...p, node: i }] : [];
    });
    const nodeOf = (ref: Ref<unknown>) =>
      ref instanceof RefImpl && ref.builder === this ? position[ref.node] : undefined;
    const referenceTasks = this.referenceTasks?.map((r, i) => {
      const n = nodeOf(r);
      if (n === undefined)
        throw new FlowDefinitionError(
          `reference task ${i} of flow '${this.flowName}' is not a task result of this flow`,
        );
      return n;
    });
    checkOutputs(this.flowName, outputs, nodeOf);
    return {
      spec: { nodes: specs },
      tasks: this.tasks,
      parameters,
      byName,
      nodeOf,
      outputs,
      referenceTasks,
    };
  }

  private spec(n: BuildNode, position: Int32Array): TaskSpec {
    const o = n.task?.options;
    const args: ArgSpec[] = n.args.map((a) =>
      a.kind === "value" ? a : { kind: "ref", node: position[a.node]!, mode: a.mode },
    );
    return {
      id: n.id,
      key: n.task?.key ?? n.id,
      constant: n.task ? undefined : { value: n.constant },
      args,
      mapped: n.mapped,
      upstream: [...n.upstream].map((u) => position[u]!),
      maxRetries: o?.maxRetries ?? 0,
      retryDelay: o?.retryDelay ?? 0,
      timeout: o?.timeout ?? 0,
      trigger: o?.trigger ?? "allSuccessful",
      skipOnUpstreamSkip: o?.skipOnUpstreamSkip ?? true,
      tags: o?.tags ?? [],
    };
  }

  /** Kahn's algorithm, stable in definition order; a cycle is a FlowDefinitionError naming it. */
  private topologicalOrder(): number[] {
    const n = this.nodes.length;
    const indegree = new Int32Array(n);
    const downstream: number[][] = Array.from({ length: n }, () => []);
    this.nodes.forEach((node, d) => {
      for (const u of upstreamsOf(node)) {
        indegree[d]!++;
        downstream[u]!.push(d);
      }
    });
    const order: number[] = [];
    const ready: number[] = [];
    for (let i = n - 1; i >= 0; i--) if (indegree[i] === 0) ready.push(i);
    while (ready.length > 0) {
      const u = ready.pop()!;
      order.push(u);
      for (const d of downstream[u]!) if (--indegree[d]! === 0) ready.push(d);
    }
    if (order.length < n) {
      const left = new Set([...indegree.keys()].filter((i) => indegree[i]! > 0));
      // Tasks that only wait for the cycle are stuck too; the message names the cycle alone.
      for (let pruned = true; pruned;) {
        pruned = false;
        for (const i of left)
          if (!downstream[i]!.some((d) => left.has(d))) pruned = left.delete(i) || pruned;
      }
      const stuck = [...left].map((i) => `'${this.nodes[i]!.id}'`);
      throw new FlowDefinitionError(
        `flow '${this.flowName}' has a cycle among tasks ${stuck.join(", ")}; remove one of the upstream edges between them`,
      );
    }
    return order;
  }
}

function upstreamsOf(node: BuildNode): Set<number> {
  const s = new Set(node.upstream);
  for (const a of node.args) if (a.kind === "ref") s.add(a.node);
  return s;
}

/** A list or plain object with a ref among its items, looking a few levels deep. */
function holdsRef(a: unknown, depth = 3): boolean {
  if (a instanceof RefImpl) return true;
  if (depth === 0 || typeof a !== "object" || a === null) return false;
  if (Array.isArray(a)) return a.some((x) => holdsRef(x, depth - 1));
  if (Object.getPrototypeOf(a) !== Object.prototype) return false;
  return Object.values(a).some((x) => holdsRef(x, depth - 1));
}

function isWrapper(x: unknown, kind: string): x is { value: unknown } {
  return (
    typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === kind && "value" in x
  );
}

function checkOutputs(
  flow: string,
  outputs: unknown,
  nodeOf: (r: Ref<unknown>) => number | undefined,
) {
  if (outputs === undefined) return;
  const bad = (what: string) =>
    new FlowDefinitionError(
      `flow '${flow}': the build function returned ${what}; return a task result, an object of task results, or nothing`,
    );
  if (outputs instanceof RefImpl) {
    if (nodeOf(outputs) === undefined) throw bad("a task result of another flow");
    return;
  }
  if (typeof outputs !== "object" || outputs === null) throw bad(typeof outputs);
  for (const [k, v] of Object.entries(outputs))
    if (!(v instanceof RefImpl) || nodeOf(v) === undefined)
      throw bad(`an object whose '${k}' is not a task result`);
}
