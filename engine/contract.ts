// The state module contract (DESIGN.md): typed data plus gather -> plan -> apply, so that a dry
// run and a real run share one code path. `--test` stops after plan; a real run applies, then
// gathers and plans again and fails the state if the plan is still not empty (ops other than 'run').
// The engine owns this contract; modules/ implement it and depend on the engine only.

import type { ExecAnswer, Host } from './host/host.js';

/** JSON Schema object as ajv takes it. */
export type JSONSchema = Record<string, unknown>;

export type ChangeOp = 'create' | 'update' | 'delete' | 'run';

/**
 * One planned change. A module types its own (`Change<'hold', boolean, boolean>`...): `kind` says
 * what the change is to the module that planned it, so apply reads fields, never `target`'s text.
 */
export interface Change<Kind extends string = string, Before = unknown, After = unknown> {
  op: ChangeOp;
  /** What changes, for the report: a path, a package name, a service, 'mode', 'owner'... */
  target: string;
  /** The module's own kind of change (pkg: 'package', 'hold', 'dependency'...); never reported. */
  kind?: Kind;
  before?: Before;
  after?: After;
  /** A unified diff for file contents (or why it is not shown: a secret, its size, binary). */
  diff?: string;
  /** What apply needs that is not for output (the new text of a file edit); never reported. */
  payload?: unknown;
}

/** A change whose kind is always set: what a module's plan returns (modules/pkg/changes.ts...). */
export type Kinded<Kind extends string, Before = unknown, After = unknown> = Change<Kind, Before, After> & {
  kind: Kind;
};

/**
 * How a plan may show file contents (StateCtx.content): the run's secrets and its diff budget.
 * Absent outside a run (unit tests): then only what looks like a secret is hidden, and only the
 * per-file limit applies.
 */
export interface ContentView {
  /**
   * True when a text holds a secret: the run's (in any form, or a piece of one) or one that looks like it (a private
   * key block, `PASSWORD=...`).
   */
  holdsSecret(text: string): boolean;
  /** The run's limits for diffs; `spent` is shared by every state of the run. */
  limits: DiffLimits;
  spent: { ms: number; bytes: number };
}

export interface DiffLimits {
  /** No diff of a file larger than this (bytes, old or new). */
  fileBytes: number;
  /** No diff with more changed lines than this (the diff's work grows with them). */
  changedLines: number;
  /** Per file: a diff that takes longer is dropped. */
  fileMs: number;
  /** Per run: diff time and diff text; once spent, further diffs are omitted. */
  runMs: number;
  runBytes: number;
}

export interface StateLogger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

/** What gather/plan/apply know about the state they serve. */
export interface StateCtx<Args = Record<string, unknown>> {
  /** The state ID and name, for messages. */
  id: string;
  name: string;
  /** The validated arguments (name already filled in). */
  args: Args;
  /** Root of the state tree on the controller, for salt:// sources. */
  statesDir: string;
  /** Renders a template file/string with the run's pillar and grains plus extra context. */
  renderTemplate(text: string, file: string, context?: Record<string, unknown>): Promise<string>;
  /** Reads a salt:// (or absolute local) source from the controller. */
  readSource(source: string): Promise<Buffer>;
  log: StateLogger;
  /** The run's secrets and diff budget, for diffs of file contents (see ContentView). */
  content?: ContentView;
  /**
   * Dry run only: a requisite of this state would change first (e.g. 'pkg: nginx'). A plan may
   * then assume what that requisite provides, such as a parent directory, instead of failing.
   */
  pendingRequisite?: string;
  /**
   * Dry run only: the pending upstream state that may create a missing fact (a user, a group...,
   * see engine/run/deferral.ts), e.g. 'user: app'; undefined when nothing pending creates it.
   */
  pendingProvider?(kind: 'user' | 'group' | 'path' | 'unit' | 'package' | 'locale', name: string): string | undefined;
  /**
   * The states linked to this one by require or watch, either way (written, *_in, or implicit
   * directory ordering). Absent outside a run. file.directory's clean keeps their files.
   */
  linkedStates?(): LinkedState[];
  /**
   * What the function's `prepare` returned for this state in the compile phase (rendered
   * contents...). Absent when the function has no prepare, or outside a run.
   */
  prepared?: unknown;
}

export interface LinkedState {
  module: string;
  fun: string;
  name: string;
  /** Its validated arguments (file.accumulated's text for a file.managed template). */
  args?: Record<string, unknown>;
}

/** What apply/refresh may say beyond the changes themselves (cmd output, a comment). */
export interface ApplyOutput {
  /** false marks the state failed (e.g. a command's non-zero exit); default true. */
  result?: boolean;
  comment?: string;
  /** Extra data merged into the reported changes (stdout, stderr, retcode...). */
  data?: Record<string, unknown>;
}

export interface StateFunction<Args = any, Facts = any, C extends Change = Change> {
  /** ajv validates args at compile time; `name` is always present in args. */
  schema: JSONSchema;
  /**
   * Compile phase, before any state of the run applies: reads and renders what the state takes
   * from the controller (salt:// sources, templates). A throw stops the run with nothing changed
   * (exit 3). The result reaches gather/plan/apply as `ctx.prepared`; computed once per run.
   */
  prepare?(args: Args, ctx: StateCtx<Args>): Promise<unknown>;
  /** Read-only facts. Never changes the host. */
  gather(host: Host, args: Args, ctx: StateCtx<Args>): Promise<Facts>;
  /**
   * Batched gather for many states of this function on one host (one round trip where possible).
   * `aggregate` marks the items the runner may apply together through `aggregate.applyMany`, so
   * the facts (e.g. a package manager's simulation) can describe that one shared call.
   */
  gatherMany?(host: Host, items: Array<{ args: Args; ctx: StateCtx<Args>; aggregate?: boolean }>): Promise<Facts[]>;
  /** Pure: [] means the state is in the desired state. May throw StateError for impossible args. */
  plan(args: Args, facts: Facts, ctx: StateCtx<Args>): C[];
  /** Makes the planned changes real. */
  apply(host: Host, changes: C[], ctx: StateCtx<Args> & { facts: Facts }): Promise<ApplyOutput | void>;
  /** What `watch` triggers (restart, reload, run); absent means watch acts as require + onchanges. */
  refresh?(host: Host, args: Args, ctx: StateCtx<Args>): Promise<ApplyOutput | void>;
  /** Describes the refresh for the dry run: 'restart', 'reload', 'run'. */
  refreshVerb?(args: Args): string;
  /**
   * Whether the planned changes already do what refresh would (a start, a restart, a re-create).
   * Absent: any planned change does (a cmd.run that runs anyway is not run twice). A service that
   * only gets enabled is not restarted by that, so a watch must still restart it.
   */
  refreshCoveredBy?(plan: C[], args: Args): boolean;
  /** States sharing a lock key run one at a time per host (package managers: 'dpkg'). */
  lock?: string;
  /** Argument names that hold secrets: their values are redacted from every output. */
  secretArgs?: string[];
  /**
   * Arguments Salt accepts (often through **kwargs) that have no effect in brine: argument -> why.
   * The compiler takes them out of args (schema and module never see them) and the state's result
   * carries a warning "ARG has no effect: WHY". `null` is unset (no warning); a likely typo of a
   * known argument stays a compile error.
   */
  inert?: Record<string, string>;
  /**
   * Salt's file.managed hands arguments it does not know (**kwargs) to the template as variables:
   * such arguments (not a likely typo of a known one) reach args as `template_kwargs`.
   */
  kwargsToTemplate?: boolean;
  /**
   * Salt's function takes **kwargs and ignores the ones it does not know (archive.extracted):
   * such an argument (not a likely typo of a known one) is accepted with the warning
   * "ARG has no effect: <this reason>".
   */
  ignoresKwargs?: string;
  /**
   * `name` is a path Salt passes through os.path.expanduser: `~` and `~/x` are root's home, as
   * for the root minion (expanded at compile time).
   */
  expandUser?: boolean;
  /**
   * Waves (engine/run/wave.ts): over a transport with Host.applyOps (SSH), this function's states
   * may apply in one batch with the states declared right after them, in order. `paths` names what
   * the state's facts and apply touch (its path, a link it follows, a parent it creates); a state
   * whose paths overlap an earlier member's ends the wave. The apply must not depend on answers
   * from the host after its first change (reads throw and the state applies on its own).
   */
  wave?: {
    paths(args: Args, facts: Facts): string[];
    /**
     * The state runs commands (cmd.run): in a wave its apply's commands are recorded with their
     * options (exec ops with `output`), its onlyif/unless/creates travel with them (a `guard` op),
     * and both run on the target at its turn; `output` makes the apply's result from the commands'
     * answers, in the order the apply ran them. A command may change anything: such a state joins a
     * wave only after states that changed nothing, and only states like it follow it.
     */
    commands?: { output(args: Args, answers: ExecAnswer[]): ApplyOutput };
  };
  /** Several states of this function made real by one call (Salt's mod_aggregate); see Aggregation. */
  aggregate?: Aggregation<Args, Facts, C>;
}

/**
 * Aggregation: when a state of this function is about to apply, the runner pulls forward the other
 * not-yet-started states of the same function that nothing orders (no requisites, no onlyif/unless/
 * creates, no prereq, not `aggregate: False`), plans them, and makes ONE applyMany call for all.
 * Each absorbed state later reports its own planned changes as made (so watch/onchanges on it fire).
 */
export interface Aggregation<Args = any, Facts = any, C extends Change = Change> {
  /** Plans with equal keys may share one call; null keeps this state (with this plan) on its own. */
  key(args: Args, changes: C[]): string | null;
  /** Makes every item's changes real in one go: one output per item, or throws (nothing is assumed done). */
  applyMany(
    host: Host,
    items: Array<{ changes: C[]; ctx: StateCtx<Args> & { facts: Facts } }>,
  ): Promise<Array<ApplyOutput | void>>;
}

/** A state module: its functions by name (`file` -> managed, directory, ...). */
export type StateModule = Record<string, StateFunction>;

/**
 * The state modules a run may use, by module name (`module.function` in an SLS resolves here).
 * modules/index.ts builds it; the caller (bin, tests) hands it to compile: the engine imports no module.
 */
export type StateRegistry = Readonly<Record<string, StateModule>>;

/** `module.fun` in the registry, or undefined (own properties only: no `constructor.assign`). */
export function lookupFunction(registry: StateRegistry, module: string, fun: string): StateFunction | undefined {
  const mod = Object.hasOwn(registry, module) ? registry[module] : undefined;
  return mod && Object.hasOwn(mod, fun) ? mod[fun] : undefined;
}
