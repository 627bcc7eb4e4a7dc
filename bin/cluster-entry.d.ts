export declare const cacheDir: string;
export declare function sourceFingerprint(dirs?: readonly string[]): string;
export declare function clusterEntryPath(): string;
