// Environments are constructed in flow files, which cluster workers import too; loading the
// cluster client and gateway client only when a run starts keeps that import light.

export async function loadClusterExecutor() {
  return (await import("../executors/index.ts")).ClusterExecutor;
}

export async function loadGatewayClient() {
  return import("../gateway/client/index.ts");
}
