// pkg.installed `sources`: packages installed from .deb files on the target (Salt's
// `sources: [{name: /path/to/file.deb}]`), by apt so that their dependencies come along. The
// version to have is the file's (dpkg-deb -f); salt:// and URLs are not fetched by brine.
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';
import type { DebChange, PkgChange } from './changes.js';
import { aptGet } from './apt.js';
import { readPackages, type PkgFacts } from './facts.js';

export type SourcesArg = Array<Record<string, string>>;

export interface DebFile {
  name: string;
  path: string;
  /** The Package and Version fields of the file; null when the file is missing. */
  package: string | null;
  version: string | null;
}

export const sourcesSchema = {
  type: 'array',
  items: {
    type: 'object',
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: { type: 'string', pattern: '^(/|file:///)' },
  },
};

export function debsOf(sources: SourcesArg): Array<{ name: string; path: string }> {
  return sources.map((s) => {
    const [name, path] = Object.entries(s)[0]!;
    return { name, path: path.replace(/^file:\/\//, '') };
  });
}

// $@: .deb paths (under $BRINE_ROOT); prints "path<TAB>package<TAB>version" per readable file
const FIELDS =
  `r="\${BRINE_ROOT-}"
for p; do
  if [ -f "$r$p" ]; then printf '%s\\t%s\\t%s\\n' "$p" "$(dpkg-deb -f "$r$p" Package)" "$(dpkg-deb -f "$r$p" ` +
  `Version)"; fi
done`;

export async function gatherSources(host: Host, sources: SourcesArg): Promise<PkgFacts & { debs: DebFile[] }> {
  const debs = debsOf(sources);
  const [facts, r] = await Promise.all([
    readPackages(
      host,
      debs.map((d) => d.name),
      { policy: false },
    ),
    shell(
      host,
      FIELDS,
      debs.map((d) => d.path),
      { readOnly: true },
    ),
  ]);
  const got = new Map(
    r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string, string])
      .map(([p, pkg, v]) => [p, { pkg, v }]),
  );
  return {
    ...facts,
    debs: debs.map((d) => ({ ...d, package: got.get(d.path)?.pkg || null, version: got.get(d.path)?.v || null })),
  };
}

export function planSources(facts: PkgFacts & { debs?: DebFile[] }): DebChange[] {
  return (facts.debs ?? []).flatMap((d) => {
    if (!d.version) throw new StateError(d.name, `source ${d.path} is not a readable .deb file on the target`);
    if (d.package !== d.name)
      throw new StateError(d.name, `source ${d.path} holds package '${d.package}', not '${d.name}'`);
    const s = facts.pkgs[d.name];
    const installed = s?.installed ?? null;
    if (installed === d.version) return [];
    return [
      {
        op: installed ? 'update' : 'create',
        kind: 'package',
        target: d.name,
        deb: d.path,
        ...(installed ? { before: installed } : {}),
        after: d.version,
      } as DebChange,
    ];
  });
}

export async function applySources(
  host: Host,
  state: string,
  changes: PkgChange[],
  lockTimeout?: number,
): Promise<{ comment: string }> {
  const pkgs = changes.filter((c): c is DebChange => c.kind === 'package' && 'deb' in c);
  const paths = pkgs.map((c) => c.deb);
  // apt takes a .deb by path (it must look like one: absolute); --allow-downgrades as Salt's sources do
  await aptGet(host, state, ['install', '--allow-downgrades', ...paths], { lockTimeout });
  return { comment: `installed ${pkgs.map((c) => `${c.target}=${c.after}`).join(', ')} from ${paths.join(', ')}` };
}
