import assert from "node:assert/strict";
import { test } from "node:test";
import { ClusterClient, type RunMessage } from "../../src/cluster/client/cluster-client.ts";
import { SchedulerServer } from "../../src/cluster/scheduler/scheduler-server.ts";
import { encodeValue } from "../../src/cluster/wire/codec.ts";

/** Submits a run with these graph bytes and resolves with the scheduler's first answer about it. */
function submit(client: ClusterClient, graph: Buffer): Promise<RunMessage> {
  return new Promise((resolve, reject) => {
    client.submit(
      {
        flowRunId: "fr",
        flowName: "f",
        bundle: "h",
        graph,
        params: encodeValue({}),
        keep: [0],
      },
      { onMessage: resolve, onLost: (r) => reject(new Error(r)) },
    );
  });
}

test("scheduler server - a submit whose graph cannot be decoded fails that run, with the reason; the next one runs", async () => {
  const server = new SchedulerServer();
  const address = await server.listen();
  const client = await ClusterClient.connect(address, undefined, 5000);
  try {
    const bad = await submit(client, Buffer.from("not a graph"));
    assert.equal(bad.t, "failed");
    assert.ok(bad.t === "failed");
    assert.equal(bad.code, "FG_CLUSTER_BAD_GRAPH");
    assert.match(bad.message, /could not decode the submitted graph .*same flowgate version.*: /);
    assert.equal(server.core.runs.size, 0);
    // A graph of one constant needs no worker: the same connection gets its result.
    const graph = {
      nodes: [{ id: "x", key: "x", args: [], upstream: [], constant: { value: 5 } }],
    };
    const good = await submit(client, encodeValue(graph));
    assert.equal(good.t, "result");
  } finally {
    client.close();
    await server.close();
  }
});
