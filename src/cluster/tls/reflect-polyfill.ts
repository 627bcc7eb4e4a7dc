/**
 * @peculiar/x509 depends on tsyringe, which refuses to load without a Reflect metadata polyfill
 * (normally the `reflect-metadata` package, not a dependency here). This is the minimal subset
 * tsyringe calls; it must run before @peculiar/x509 is imported.
 */
const store = new WeakMap<object, Map<unknown, unknown>>();
const R = Reflect as unknown as Record<string, unknown>;
const table = (target: object) => {
  let m = store.get(target);
  if (!m) store.set(target, (m = new Map()));
  return m;
};
if (typeof R.getMetadata !== "function") {
  R.defineMetadata = (key: unknown, value: unknown, target: object) =>
    void table(target).set(key, value);
  R.getOwnMetadata = (key: unknown, target: object) => store.get(target)?.get(key);
  R.getMetadata = (key: unknown, target: object): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const v = store.get(t)?.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  R.hasMetadata = (key: unknown, target: object) =>
    (R.getMetadata as (k: unknown, t: object) => unknown)(key, target) !== undefined;
  R.metadata = (key: unknown, value: unknown) => (target: object) =>
    void table(target).set(key, value);
}
export {};
