// A saved plan (`--plan-out FILE`): what a dry run showed per host and state, with keyed digests
// of what it was computed from, so that `brine apply FILE` / `brine push --plan FILE` can prove
// the host and the tree are still as reviewed before changing anything. Stable JSON, version 1
// (README "Saved plans").

export const PLAN_VERSION = 1;
export const PLAN_KIND = 'brine-plan';
/** Exit code of an apply whose plan no longer matches (DESIGN.md: 4 is the saved plan's own). */
export const PLAN_MISMATCH_EXIT = 4;

/** A change as the plan shows it: the report's form (redacted; hashes of secret content keyed). */
export interface PlanChange {
  op: string;
  target: string;
  before?: unknown;
  after?: unknown;
  diff?: string;
}

export interface PlanDigests {
  /** The changes in full (the apply's payloads included): what the apply would do. */
  changes: string;
  /** Only what the changes make true (target, after, payload): see guard.ts. */
  outcome: string;
  /** The compiled state: module, function, id, name, arguments, requisites, meta. */
  args: string;
  /** The compile phase's rendered contents (file.managed sources and templates, cmd.script). */
  contents?: string;
  /** The facts the plan was computed from (informational: not compared on their own). */
  facts?: string;
}

export interface PlanState {
  key: string;
  id: string;
  name: string;
  module: string;
  function: string;
  sls: string;
  file: string;
  line: number;
  /** The dry run's result: null would change, true in the desired state, false failed. */
  result: boolean | null;
  comment: string;
  /** "would change after X": what it will do is known only when X has applied. */
  deferred?: true;
  changes: PlanChange[];
  digests: PlanDigests;
}

export interface PlanHost {
  /** The minion id the plan was made for. */
  host: string;
  /** push: the target as given (inventory name or [user@]host[:port]). */
  target?: string;
  /** push: user@host:port as connected. */
  address?: string;
  /** local runs under --root: the absolute root directory. */
  root?: string;
  /** Keyed digest of the command line's pillar override the plan was made with (override.ts). */
  pillarOverride?: string;
  states: PlanState[];
  summary: { total: number; pending: number; failed: number };
}

export interface SavedPlan {
  kind: typeof PLAN_KIND;
  version: typeof PLAN_VERSION;
  /** Random; keys the digests (digest.ts). */
  id: string;
  created: string;
  /** highstate | sls | push */
  command: string;
  /** The SLS names given (sls, push --sls); absent: the top file. */
  sls?: string[];
  /** Run options the plan was computed with; the apply uses the same. */
  options: { aggregate: boolean; concurrency: number };
  hosts: PlanHost[];
}

/** One state whose current plan is not the saved one. */
export interface StateDifference {
  key: string;
  label: string;
  sls: string;
  where: string;
  /** What differs: changes, arguments, rendered contents, ... */
  why: string[];
  planned?: PlanState;
  current?: PlanState;
}

export interface HostCheck {
  host: string;
  target?: string;
  /** Set when the plan is for another host (or root): nothing else is compared. */
  wrongHost?: string;
  differences: StateDifference[];
}
