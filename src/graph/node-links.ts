import type { Measure } from "./commands.ts";
import { InvalidGraphError } from "./errors.ts";
import { Gate, type NodeRun } from "./node-run.ts";

/**
 * Wires one node of a graph run to the nodes before it, once, when the run is made: how it waits
 * on each distinct upstream (the whole node, or a mapped upstream child by child), which of them
 * it reads data from (so that a result is released after its last reader), and how much of each
 * upstream's result the shell must measure (its length, or the lengths of its items for a flatten).
 * Throws InvalidGraphError when a node refers to one that does not come before it.
 */
export function linkNode(nodes: readonly NodeRun[], n: NodeRun): void {
  const byNode = new Map<number, { onlyMapped: boolean; data: boolean }>();
  const note = (u: number, mode: "whole" | "mapped" | "flatten" | "state") => {
    if (u >= n.index || u < 0)
      throw new InvalidGraphError(
        `task '${n.spec.id}' refers to node ${u}, which does not come before it; nodes must be in topological order`,
      );
    const e = byNode.get(u) ?? { onlyMapped: true, data: false };
    e.onlyMapped &&= mode === "mapped";
    e.data ||= mode !== "state";
    byNode.set(u, e);
  };
  for (const a of n.spec.args) if (a.kind === "ref") note(a.node, a.mode);
  for (const u of n.spec.upstream) note(u, "state");
  for (const [u, e] of byNode) {
    const up = nodes[u]!;
    const gate = n.spec.mapped && up.spec.mapped && e.onlyMapped ? Gate.expanded : Gate.complete;
    n.upstreams.push({ node: u, gate, data: e.data });
    up.dependents.push({ node: n.index, gate });
    if (gate === Gate.expanded) up.childDependents.push(n.index);
    if (e.data) up.dataConsumersLeft++;
    n.gates++;
  }
  for (const a of n.spec.args) {
    if (a.kind !== "ref") continue;
    const up = nodes[a.node]!;
    const need: Measure =
      a.mode === "flatten" && n.spec.mapped
        ? up.spec.mapped
          ? 1
          : 2
        : a.mode === "mapped" && !up.spec.mapped
          ? 1
          : 0;
    if (need > up.measure) up.measure = need;
  }
}
