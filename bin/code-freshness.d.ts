export declare const BUILD_STAMP: string;
export declare function sourceFingerprint(root: string, dirs?: readonly string[]): string;
export declare function distIsCurrent(root: string): boolean;
