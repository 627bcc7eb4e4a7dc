import { chown, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClusterRecord } from "../cluster-record.ts";
import type { TlsPaths } from "./cluster-commands.ts";

/** The per-cluster folders under a backend's data folder, holding certificate files and logs. */
export class ClusterFolders {
  constructor(private readonly dataDir: string) {}

  dir(clusterName: string): string {
    return join(this.dataDir, "clusters", clusterName);
  }

  tlsPaths(clusterName: string): TlsPaths {
    const dir = this.dir(clusterName);
    return { cert: join(dir, "tls.crt"), key: join(dir, "tls.key") };
  }

  /**
   * Creates the cluster's folder (0700) and writes its certificate and key into it (0600), all
   * owned by `owner` when given (the account the cluster runs as), else by the gateway.
   */
  async writeTlsFiles(c: ClusterRecord, owner?: { uid: number; gid: number }): Promise<TlsPaths> {
    const dir = this.dir(c.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tls = this.tlsPaths(c.name);
    await writeFile(tls.cert, c.tlsCert, { mode: 0o600 });
    await writeFile(tls.key, c.tlsKey, { mode: 0o600 });
    if (owner) for (const p of [dir, tls.cert, tls.key]) await chown(p, owner.uid, owner.gid);
    return tls;
  }

  /** The key leaves the disk with the cluster; logs stay for GET …/logs. */
  async removeTlsFiles(clusterName: string): Promise<void> {
    const tls = this.tlsPaths(clusterName);
    await rm(tls.key, { force: true });
    await rm(tls.cert, { force: true });
  }

  /** Keeps a process's output (0600), creating the cluster's folder (0700) when needed. */
  async writeLog(clusterName: string, file: string, text: string): Promise<void> {
    const dir = this.dir(clusterName);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, file), text, { mode: 0o600 });
  }

  /** The text of every `.log` file in the cluster's folder, by file name; none without a folder. */
  async readLogs(clusterName: string): Promise<Map<string, string>> {
    const dir = this.dir(clusterName);
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith(".log"));
    } catch {
      return new Map();
    }
    const texts = await Promise.all(files.map((f) => readFile(join(dir, f), "utf8")));
    return new Map(files.map((f, i) => [f, texts[i]!]));
  }
}

/** Logs by file name as one text, each under a `==> file <==` header, scheduler first. */
export function joinLogs(texts: Map<string, string>): string {
  const files = [...texts.keys()].sort((a, b) =>
    a === "scheduler.log" ? -1 : b === "scheduler.log" ? 1 : a.localeCompare(b),
  );
  return files.map((f) => `==> ${f} <==\n${texts.get(f)}`).join("\n");
}
