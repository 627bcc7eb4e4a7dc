import { Flow, Parameter, task } from "flowgate";

export const noop = task(function noop(x: number) {
  return x;
});

export const sum = task(function sum(xs: number[]) {
  let s = 0;
  for (const x of xs) s += x;
  return s;
});

/** A map of `n` trivial children and a sum: the benchmark of scheduling overhead. */
export const wideMap = new Flow("bench-wide-map", () => {
  const n = Parameter<number>("n", { default: 100_000 });
  return sum(noop.map(range(n)));
});

export const range = task(function range(n: number) {
  return Array.from({ length: n }, (_, i) => i);
});
