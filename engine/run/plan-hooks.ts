// What a saved plan (engine/plan/) needs from a run: the rendered contents of the compile phase
// (read, or handed in so a real run applies what a dry run checked), the facts each state was
// planned from, and a guard that refuses a state whose plan is not the approved one.
import type { Change } from '../../engine/contract.js';
import type { Chunk } from '../compile/types.js';
import type { StateResult } from './types.js';

export interface PlanHooks {
  /** Use these prepared values (a dry run's) instead of preparing again. */
  prepared?: Map<string, unknown>;
  /** Called once with the compile phase's prepared values. */
  onPrepared?(prepared: Map<string, unknown>): void;
  /** Called with the facts a state's plan was computed from. */
  onFacts?(chunk: Chunk, facts: unknown): void;
  /**
   * Real runs: called right before a state applies `changes` (its refresh included). A reason
   * refuses the state (it fails with that comment, nothing applied); undefined lets it apply.
   */
  guard?(chunk: Chunk, changes: Change[], results: Map<string, StateResult>): string | undefined;
}
