/** Milliseconds per duration unit ("30m", "10s", "1h30m", "500ms"). */
const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Bytes per size unit ("4 GiB", "512MiB", "1.5 GB", "100 B"). */
const sizeUnits: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

function sumOfParts(text: string, units: Record<string, number>): number | undefined {
  const re = /(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*/gy;
  const t = text.trim().toLowerCase();
  if (t === "") return undefined;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const unit = units[m[2]!];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    end = re.lastIndex;
  }
  return end === t.length ? total : undefined;
}

/** "30m" → 1800000; "1h30m", "10 s", "250ms" are accepted. Undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  return sumOfParts(text, durationUnits);
}

/** "4 GiB" → 4294967296; "1.5 GB", "512MiB", "100 B" are accepted. Undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  return sumOfParts(text, sizeUnits);
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known name closest to `name`, or undefined when none is plausibly meant. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d =
      k.toLowerCase().startsWith(name.toLowerCase()) && name.length >= 3 ? 1 : distance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
