/**
 * A number naming an input (a result: node, child) within its run, for the worker's and its
 * threads' maps. Most are small integers (V8 Smis, negative: -(node * 2^20 + child + 2)), because
 * a key beyond 2^30 is a heap number, which every Map lookup by it must allocate and hash (a
 * reduce looks up each of its inputs); the rest are node * 2^32 + child + 1 (never negative).
 */
export function inputKey(node: number, child: number): number {
  if (node < 1023 && child < 1048574) return -(node * 1048576 + child + 2);
  return node * 4294967296 + child + 1;
}

/** The node of an input key. */
export function inputKeyNode(key: number): number {
  return key < 0 ? Math.floor((-key - 1) / 1048576) : Math.floor(key / 4294967296);
}
