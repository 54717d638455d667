// Reads the state of systemd units in ONE command: `systemctl show` for all of them when systemd
// runs; without a running systemd (containers, CI, chroots) only the unit-file state is knowable,
// through `systemctl is-enabled`, and the facts say so instead of failing.
import { CommandError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';

export interface UnitFacts {
  /** systemd is PID 1 on the host (/run/systemd/system exists). */
  systemd: boolean;
  unit: string;
  /** loaded, not-found, masked, bad-setting, error; offline: loaded/masked/not-found from the unit file. */
  load: string;
  /** active, inactive, failed, activating, deactivating, reloading; 'unknown' offline. */
  active: string;
  /** enabled, disabled, static, masked, indirect, generated, alias, '' (no unit file)... */
  fileState: string;
  /** The unit file changed on disk since systemd loaded it. */
  needReload: boolean;
}

const SUFFIXES = /\.(service|socket|timer|target|path|mount|automount|swap|slice|scope|device)$/;

/** `nginx` -> `nginx.service`; names with a unit suffix or a template instance stay as given. */
export function unitName(name: string): string {
  return SUFFIXES.test(name) ? name : `${name}.service`;
}

const PROPS = 'Id,LoadState,ActiveState,UnitFileState,NeedDaemonReload';
const SCRIPT = `
if [ -d /run/systemd/system ]; then
  echo @@systemd
  systemctl show --no-pager -p ${PROPS} -- "$@" || exit 1
else
  echo @@offline
  for u; do printf '%s\\t%s\\n' "$u" "$(systemctl is-enabled -- "$u" 2>/dev/null)"; done
fi
`;

/** Parses the gather script's output (exported for unit tests). */
export function parseUnits(stdout: string, units: string[]): UnitFacts[] {
  const [head, ...rest] = stdout.split('\n');
  const body = rest.join('\n');
  if (head === '@@offline') {
    const states = new Map(
      body
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t') as [string, string]),
    );
    return units.map((unit) => {
      const fileState = states.get(unit) ?? '';
      return {
        systemd: false,
        unit,
        load: fileState.startsWith('masked') ? 'masked' : fileState ? 'loaded' : 'not-found',
        active: 'unknown',
        fileState,
        needReload: false,
      };
    });
  }
  const blocks = body.split(/\n\n+/).filter((b) => b.trim());
  return units.map((unit, i) => {
    const props = new Map<string, string>();
    for (const line of (blocks[i] ?? '').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) props.set(line.slice(0, eq), line.slice(eq + 1));
    }
    return {
      systemd: true,
      unit,
      load: props.get('LoadState') ?? 'not-found',
      active: props.get('ActiveState') ?? 'inactive',
      fileState: props.get('UnitFileState') ?? '',
      needReload: props.get('NeedDaemonReload') === 'yes',
    };
  });
}

export async function readUnits(host: Host, names: string[]): Promise<UnitFacts[]> {
  const units = names.map(unitName);
  const r = await shell(host, SCRIPT, units, { env: { LC_ALL: 'C', SYSTEMD_PAGER: '' } });
  if (r.exitCode !== 0) throw new CommandError(r, 'reading the state of systemd units failed');
  return parseUnits(r.stdout, units);
}
