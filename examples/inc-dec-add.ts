import { setTimeout as sleep } from "node:timers/promises";
import { Flow, task } from "flowgate";

const randomPause = () => sleep(Math.random() * 100);

export const inc = task(async function inc(x: number) {
  await randomPause();
  return x + 1;
});

export const dec = task(async function dec(x: number) {
  await randomPause();
  return x - 1;
});

export const add = task(async function add(x: number, y: number) {
  await randomPause();
  return x + y;
});

export const listSum = task(async function listSum(xs: number[]) {
  await randomPause();
  return xs.reduce((a, b) => a + b, 0);
});

const range = Array.from({ length: 10 }, (_, i) => i);

export default new Flow("inc-dec-add", () => {
  const incs = inc.map(range);
  const decs = dec.map(range);
  return listSum(add.map(incs, decs));
});
