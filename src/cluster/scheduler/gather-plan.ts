import type { FlowRun } from "./flow-run.ts";

/** What collecting a finished run's kept results still needs. */
export interface GatherPlan {
  /** Every kept successful result has arrived. */
  readonly complete: boolean;
  /** Keys ("node|child") to ask each holder worker for. */
  readonly ask: Map<number, string[]>;
  /** Kept results no live worker holds: recompute them first. */
  readonly lost: [number, number][];
}

/** Plans the next step of gathering a run's kept results (constants come from the client's own graph). */
export function planGather(run: FlowRun): GatherPlan {
  const got = run.gathering!;
  const ask = new Map<number, string[]>();
  const lost: [number, number][] = [];
  let missing = 0;
  const want = (node: number, child: number) => {
    const k = `${node}|${child}`;
    if (got.has(k) || run.state.stateOf(node, child) !== "Success") return;
    missing++;
    const h = run.holderOf(node, child);
    if (h < 0) return void lost.push([node, child]);
    let list = ask.get(h);
    if (!list) ask.set(h, (list = []));
    list.push(k);
  };
  for (const node of run.keep) {
    if (run.isConstant(node)) continue;
    const width = run.state.nodes[node]!.width;
    if (width >= 0) for (let c = 0; c < width; c++) want(node, c);
    else want(node, -1);
  }
  return { complete: missing === 0, ask, lost };
}

/** Stores gathered bytes; a null means the holder no longer has the result (it is lost). */
export function storeGathered(
  run: FlowRun,
  keys: readonly string[],
  values: readonly (Buffer | null)[],
): void {
  keys.forEach((k, i) => {
    const v = values[i];
    if (v) run.gathering!.set(k, v);
    else {
      const [n, c] = k.split("|").map(Number) as [number, number];
      run.setHolder(n, c, -1);
    }
  });
}
