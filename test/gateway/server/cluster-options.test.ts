import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyClusterOptions,
  defaultOptionFields,
  optionsSpecBody,
  type OptionField,
} from "../../../src/gateway/server/cluster-options.ts";
import { InvalidOptionError } from "../../../src/gateway/server/errors.ts";

const fields: OptionField[] = [
  ...defaultOptionFields(),
  { field: "gpu", default: false, spec: { type: "bool" } },
  { field: "queue", default: "small", spec: { type: "select", options: ["small", "large"] } },
  { field: "cores", default: 2, target: "scheduler_cores", spec: { type: "int", min: 1, max: 4 } },
];

describe("cluster options - typed, validated at request time", () => {
  it("fills defaults and maps fields to the cluster config", () => {
    const { options, config } = applyClusterOptions(fields, {
      worker_cores: 4,
      environment: { A: "1" },
      image: "img:1",
      cores: 3,
    });
    assert.deepEqual(options, {
      worker_cores: 4,
      worker_memory: 2,
      environment: { A: "1" },
      image: "img:1",
      gpu: false,
      queue: "small",
      cores: 3,
    });
    assert.deepEqual(config, {
      worker_cores: 4,
      worker_memory: 2,
      scheduler_cores: 3,
      scheduler_memory: 1,
      environment: { A: "1" },
      image: "img:1",
    });
  });

  for (const [value, pattern] of [
    [{ worker_cores: 0 }, /"worker_cores": got 0, allowed is an integer from 1 to 16/],
    [{ worker_cores: "2" }, /"worker_cores": got "2"/],
    [{ worker_memory: -1 }, /"worker_memory".*a number from 0.25 to 64/],
    [{ gpu: "yes" }, /"gpu".*true or false/],
    [{ queue: "huge" }, /"queue".*one of "small", "large"/],
    [{ environment: ["A"] }, /"environment".*object of environment-variable names/],
    [{ environment: { "1A": "x" } }, /"1A"/],
    [{ nope: 1 }, /Unknown option "nope"; allowed options are "worker_cores"/],
  ] as const) {
    it(`rejects ${JSON.stringify(value)} naming the field and what is allowed`, () => {
      assert.throws(
        () => applyClusterOptions(fields, value),
        (e: unknown) =>
          e instanceof InvalidOptionError && e.status === 422 && pattern.test(e.message),
      );
    });
  }

  it("serves the spec with Dask Gateway's type names", () => {
    const body = optionsSpecBody(fields);
    assert.equal((body.cluster_options[0] as { spec: { type: string } }).spec.type, "int");
  });
});
