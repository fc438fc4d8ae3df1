export declare const BUILD_STAMP: string;
export type BuildState = 'fresh' | 'stale' | 'missing';
export declare function buildState(root: string): BuildState;
