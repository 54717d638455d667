// Saved plans: `--plan-out FILE` records a dry run; `brine apply FILE` / `brine push --plan FILE`
// apply it only if a fresh dry run still matches it (README "Saved plans").
export { PLAN_MISMATCH_EXIT, PLAN_VERSION, type HostCheck, type PlanHost, type SavedPlan } from './types.js';
export { readPlan, writePlan } from './file.js';
export { compareHost, wrongHost } from './compare.js';
export { overrideRefusal } from './override.js';
export { formatDifferences, headline } from './differences.js';
export { newPlanId, PlanRun, type PlanRunInput } from './session.js';
export { NOT_AS_PLANNED } from './guard.js';
export { asPlannedNote } from './note.js';
