/** dist/.build-stamp, relative to the repository root. */
export declare const STAMP_FILE: string;
/** The sha256 (hex) of the build's inputs under `root` (the repository root). */
export declare function sourceStamp(root: string): string;
