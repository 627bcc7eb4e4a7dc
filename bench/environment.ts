// GatewayEnvironment, local backend: time from flow.run() to the first task running on the
// run's cluster (p50 of 10), and the whole run of the times-two example, through an embedded
// gateway. Prints JSON.
import { GatewayEnvironment } from "../src/environments/index.ts";
import { BasicAuth } from "../src/gateway/client/index.ts";
import { startGateway } from "../src/gateway/server/index.ts";
import timesTwo from "../examples/times-two.ts";

const runs = Number(process.env.BENCH_RUNS ?? 10);
const gateway = await startGateway({
  address: "127.0.0.1:0",
  backend: "unsafe-local",
  db: ":memory:",
  logLevel: "warn",
});
const environment = new GatewayEnvironment({
  gatewayAddress: gateway.address,
  auth: new BasicAuth("bench"),
  adaptiveMinWorkers: 1,
  adaptiveMaxWorkers: 2,
});
const toFirstTask: number[] = [];
const total: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    let firstTask = NaN;
    const result = await environment.run(timesTwo, {
      printLogs: false,
      onFirstTaskStarted: () => (firstTask = performance.now() - started),
    });
    if (result.outputs !== 12) throw new Error(`wrong result ${String(result.outputs)}`);
    total.push(performance.now() - started);
    toFirstTask.push(firstTask);
  }
} finally {
  await gateway.close();
}
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  JSON.stringify({
    bench: "gateway-environment",
    runs,
    run_to_first_task_ms_p50: Math.round(p50(toFirstTask)),
    whole_run_ms_p50: Math.round(p50(total)),
  }),
);
