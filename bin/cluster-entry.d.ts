export declare const cacheDir: string;
export declare function sourceFingerprint(): string;
export declare function clusterEntryPath(): string;
