import { MemoryLimitError } from "../errors.ts";

const KiB = 1024;
const MiB = KiB * KiB;
const GiB = MiB * KiB;
const TiB = GiB * KiB;

/**
 * Unit suffixes, lower-cased. "KB"/"MB"/"GB"/"TB" are decimal and "KiB"/"Ki" binary, as in
 * Dask; a bare letter ("2G", "512M") is binary, as the gateway's backends, Slurm and Docker mean it.
 */
const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: KiB,
  ki: KiB,
  kib: KiB,
  kb: 1e3,
  m: MiB,
  mi: MiB,
  mib: MiB,
  mb: 1e6,
  g: GiB,
  gi: GiB,
  gib: GiB,
  gb: 1e9,
  t: TiB,
  ti: TiB,
  tib: TiB,
  tb: 1e12,
};

/** Below this a worker cannot even hold its own code: a unit was probably left out. */
export const MIN_MEMORY_LIMIT = 64 * MiB;

/**
 * Parses a `--memory-limit` value: "512MiB", "2GB", "1.5GiB", "2G", plain bytes ("536870912"),
 * or "0"/"auto"/"none" (and undefined or "") for no limit. Returns bytes, or undefined for no
 * limit. Throws MemoryLimitError naming the value and the fix.
 */
export function parseMemoryLimit(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (text === "" || /^(0|auto|none)$/i.test(text)) return undefined;
  const m = /^(\d+(?:\.\d+)?|\.\d+)(?:e(\d+))?\s*([a-z]*)$/i.exec(text);
  if (!m)
    throw new MemoryLimitError(
      text,
      "it is not a number with an optional unit; write e.g. 512MiB, 2GB, 1.5GiB, 2G or a number of bytes (0 or auto: no limit)",
    );
  const unit = UNITS[m[3]!.toLowerCase()];
  if (unit === undefined)
    throw new MemoryLimitError(
      text,
      `'${m[3]}' is not a unit; use B, KiB, MiB, GiB, TiB (or K, M, G, T), or kB, MB, GB, TB`,
    );
  const bytes = Math.round(Number(m[1]) * 10 ** Number(m[2] ?? 0) * unit);
  if (bytes === 0) return undefined;
  if (bytes < MIN_MEMORY_LIMIT)
    throw new MemoryLimitError(
      text,
      `that is ${formatBytes(bytes)}, less than the ${formatBytes(MIN_MEMORY_LIMIT)} a worker needs before it runs any task; ` +
        `give a unit (e.g. 512MiB or 2GiB), or 0 for no limit`,
    );
  return bytes;
}

/** "512 MiB", "1.5 GiB", "300 B". */
export function formatBytes(n: number): string {
  const units: [number, string][] = [
    [TiB, "TiB"],
    [GiB, "GiB"],
    [MiB, "MiB"],
    [KiB, "KiB"],
  ];
  for (const [size, name] of units)
    if (n >= size) return `${Number((n / size).toFixed(n % size === 0 ? 0 : 1))} ${name}`;
  return `${n} B`;
}

/** Smallest V8 old-generation heap a task thread gets: enough to load tsx, flowgate and a flow. */
export const MIN_THREAD_HEAP_MIB = 64;

/** Each task thread's heap (MiB): the memory limit shared by the threads, at least MIN_THREAD_HEAP_MIB. */
export function threadHeapMib(limit: number, threads: number): number {
  return Math.max(MIN_THREAD_HEAP_MIB, Math.floor(limit / MiB / Math.max(1, threads)));
}

/** Why a task thread ran out of heap and what to do, for TaskMemoryError. */
export function outOfMemoryDetail(limit: number | undefined, threads: number): string {
  if (!limit)
    return "its thread exceeded V8's default heap limit; make the task use less memory, or give the worker a --memory-limit and fewer threads";
  const heap = threadHeapMib(limit, threads);
  const floor = heap === MIN_THREAD_HEAP_MIB && limit / MiB / threads < heap;
  return (
    `its thread exceeded the ${heap} MiB heap it gets from --memory-limit ${formatBytes(limit)} over ${threads} thread${threads === 1 ? "" : "s"}` +
    `${floor ? ` (raised to the ${MIN_THREAD_HEAP_MIB} MiB minimum)` : ""}; raise --memory-limit or lower --concurrency`
  );
}
