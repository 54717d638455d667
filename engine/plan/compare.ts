// The check before a saved plan applies: the dry run of now against the dry run that was
// reviewed, state by state. A state differs when its changes differ (digest of the full changes,
// its result, deferred or not), its compiled state (arguments, requisites), or its rendered
// contents; a state only one side has differs too. The facts digest alone decides nothing
// (facts may hold what the plan does not depend on), it is named when the state differs anyway.
import type { HostCheck, PlanHost, PlanState, StateDifference } from './types.js';

const label = (s: PlanState): string => `${s.module}.${s.function}: ${s.id}`;

function reasons(p: PlanState, c: PlanState): string[] {
  const why: string[] = [];
  const sameChanges = p.digests.changes === c.digests.changes && p.result === c.result && !!p.deferred === !!c.deferred;
  if (!sameChanges) why.push('changes');
  if (p.digests.args !== c.digests.args) why.push('arguments');
  if (p.digests.contents !== c.digests.contents) why.push('rendered contents');
  if (why.length && p.digests.facts !== c.digests.facts) why.push('facts read');
  return why;
}

/** The plan's host entry for this run: the same minion id (and the same --root). */
export function wrongHost(saved: PlanHost, host: string, root?: string): string | undefined {
  if (saved.host !== host) return `the plan is for host '${saved.host}', this is '${host}'`;
  if ((saved.root ?? '') !== (root ?? '')) {
    return `the plan is for root '${saved.root ?? '/'}', this run's is '${root ?? '/'}'`;
  }
  return undefined;
}

export function compareHost(saved: PlanHost, current: PlanHost): HostCheck {
  const now = new Map(current.states.map((s) => [s.key, s]));
  const was = new Map(saved.states.map((s) => [s.key, s]));
  const differences: StateDifference[] = [];
  for (const p of saved.states) {
    const c = now.get(p.key);
    const base = { key: p.key, label: label(p), planned: p };
    if (!c) differences.push({ ...base, sls: p.sls, where: `${p.file}:${p.line}`, why: ['no longer selected'] });
    else {
      const why = reasons(p, c);
      if (why.length) differences.push({ ...base, sls: c.sls, where: `${c.file}:${c.line}`, why, current: c });
    }
  }
  for (const c of current.states) {
    if (was.has(c.key)) continue;
    const where = `${c.file}:${c.line}`;
    differences.push({ key: c.key, label: label(c), sls: c.sls, where, why: ['not in the plan'], current: c });
  }
  return { host: current.host, ...(current.target ? { target: current.target } : {}), differences };
}
