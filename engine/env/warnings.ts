// One line per env warning (unknown keys), for stderr.
import type { EnvIssue } from './validate.js';

export function formatWarnings(file: string, warnings: EnvIssue[]): string[] {
  return warnings.map((w) => `brine: warning: ${file}${w.line ? `:${w.line}` : ''}: ${w.path}: ${w.message}`);
}
