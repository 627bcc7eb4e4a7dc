import { Flow, Parameter, task } from "flowgate";

export const timesTwo = task(function timesTwo(x: number) {
  return x * 2;
});

export const getSum = task(function getSum(xs: number[]) {
  return xs.reduce((a, b) => a + b, 0);
});

export default new Flow("times-two", () => {
  const x = Parameter("x", { default: [1, 2, 3] });
  return getSum(timesTwo.map(x));
});
