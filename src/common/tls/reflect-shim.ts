// @peculiar/x509 depends on tsyringe, which refuses to load unless a Reflect metadata polyfill
// (reflect-metadata or similar) is installed. tsyringe reads only "design:paramtypes", which the
// x509 build never emits, and keeps its own registry, so this small WeakMap store is enough.
// It is installed only when no polyfill is present; a polyfill loaded later simply replaces it.

type Key = string | symbol;
const store = new WeakMap<object, Map<Key | undefined, Map<unknown, unknown>>>();

function table(target: object, property: Key | undefined, create: boolean) {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let entries = byProperty.get(property);
  if (!entries && create) {
    entries = new Map();
    byProperty.set(property, entries);
  }
  return entries;
}

function getOwn(key: unknown, target: object, property?: Key): unknown {
  return table(target, property, false)?.get(key);
}

function get(key: unknown, target: object, property?: Key): unknown {
  for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
    const entries = table(t, property, false);
    if (entries?.has(key)) return entries.get(key);
  }
  return undefined;
}

const shim = {
  defineMetadata(key: unknown, value: unknown, target: object, property?: Key): void {
    table(target, property, true)!.set(key, value);
  },
  getOwnMetadata: getOwn,
  getMetadata: get,
  hasOwnMetadata: (key: unknown, target: object, property?: Key): boolean =>
    table(target, property, false)?.has(key) ?? false,
  hasMetadata: (key: unknown, target: object, property?: Key): boolean =>
    get(key, target, property) !== undefined,
  deleteMetadata: (key: unknown, target: object, property?: Key): boolean =>
    table(target, property, false)?.delete(key) ?? false,
  metadata:
    (key: unknown, value: unknown) =>
    (target: object, property?: Key): void =>
      shim.defineMetadata(key, value, target, property),
};

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect["getMetadata"] !== "function") {
  for (const [name, fn] of Object.entries(shim)) {
    Object.defineProperty(Reflect, name, { value: fn, configurable: true, writable: true });
  }
}
