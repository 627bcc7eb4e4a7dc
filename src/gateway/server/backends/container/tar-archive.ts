/** A file for `tarArchive`. */
export interface TarEntry {
  /** Path inside the archive, e.g. "flowgate-tls/tls.crt"; ends in "/" for a folder. */
  name: string;
  content?: string;
  mode: number;
}

function header(name: string, size: number, mode: number, type: "0" | "5"): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s.slice(0, len), off, "ascii");
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, "0") + "\0";
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8); // uid
  put(octal(0, 8), 116, 8); // gid
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(Date.now() / 1000), 12), 136, 12);
  put("        ", 148, 8); // checksum placeholder: spaces while summing
  put(type, 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return h;
}

/** A ustar archive of small text files, for the engine's PUT /containers/{id}/archive. */
export function tarArchive(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const dir = e.name.endsWith("/");
    const body = Buffer.from(e.content ?? "", "utf8");
    parts.push(header(e.name, dir ? 0 : body.length, e.mode, dir ? "5" : "0"));
    if (!dir && body.length) parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
