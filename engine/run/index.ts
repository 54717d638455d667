export { runCompiled, type RunOptions } from './runner.js';
export type { RunReport, StateResult } from './types.js';
export { readSource, type TemplateRenderer } from './ctx.js';
export { MissingFactError, type FactKind } from './missing-fact.js';
export { RunControl } from './control.js';
