/** Types of groups.mjs, for the Vitest config (TypeScript) that imports it. */
export interface MutationGroup {
  name: string;
  /** Stryker `mutate` patterns (`file:line-line` for part of a file). */
  mutate: string[];
  /** The only tests run against the group's mutants. */
  tests: string[];
  /** `thresholds.break`: the lowest mutation score (%) the command accepts. */
  break: number;
  /** The tests start a hub, which serves dist/: build it first. */
  dist?: boolean;
  /** Stryker's `timeoutMS` for this group (default 15,000). */
  timeoutMS?: number;
  /** Vitest's `isolate` for the group's tests (default true: a fresh module graph per test file). */
  isolate?: boolean;
}
export declare const GROUPS: MutationGroup[];
export declare function groupNamed(name: string): MutationGroup;
