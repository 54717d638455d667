// The ContentView a run hands its plans (StateCtx.content): the run's Redactor decides which file
// contents hold secrets, and one budget caps the diff work and diff text of the whole run.
import type { ContentView, DiffLimits } from '../contract.js';
import type { Redactor } from '../redact.js';

/** Per file 64 KB and 1000 changed lines (at most 250 ms); per run 2 s of diff work and 1 MB of diff text. */
export const DIFF_LIMITS: DiffLimits = {
  fileBytes: 64 * 1024,
  changedLines: 1000,
  fileMs: 250,
  runMs: 2000,
  runBytes: 1024 * 1024,
};

export function contentView(redactor: Redactor, limits: DiffLimits = DIFF_LIMITS): ContentView {
  return { holdsSecret: (text) => redactor.holdsSecret(text), limits, spent: { ms: 0, bytes: 0 } };
}
