type Closable = { [Symbol.asyncDispose]?: () => Promise<void>; close?: () => unknown };

/**
 * Closes each object in order, through `Symbol.asyncDispose` when it has one, else its `close()`
 * (awaited when it returns a promise). Every object is closed even when one fails; the first
 * failure is then thrown.
 */
export async function closeAll(objects: readonly unknown[]): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const o of objects as Closable[]) {
    try {
      if (typeof o?.[Symbol.asyncDispose] === "function") await o[Symbol.asyncDispose]!();
      else if (typeof o?.close === "function") await o.close();
    } catch (e) {
      failure ??= { error: e };
    }
  }
  if (failure) throw failure.error;
}
