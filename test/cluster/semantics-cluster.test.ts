import { LocalCluster } from "../../src/cluster/index.ts";
import { ClusterExecutor } from "../../src/executors/cluster-executor.ts";
import { semanticSuite } from "../flow/semantic-suite.ts";

semanticSuite("ClusterExecutor on LocalCluster(2)", async () => {
  const cluster = await LocalCluster({ workers: 2, concurrency: 2 });
  const executor = new ClusterExecutor(cluster);
  return {
    executor,
    close: async () => {
      executor.close();
      await cluster.close();
    },
  };
});
