// The first round trip of a push: the grains, the env files the env search may read
// (/run/active-env.yml, $ENV_YML, /app/env.yml) and the platform probe, in ONE exec of one sh
// script whose output comes in sections framed by a random marker. What the script could not read
// plainly (a file that exists but cat fails on it) is read again the ordinary way, so the env found
// is the one the separate reads would find.
import { randomBytes } from 'node:crypto';
import type { Host } from './host/host.js';
import { TransportError } from './errors.js';
import { GRAINS_SCRIPT, parseGrains, type Grains } from './grains.js';
import { DRIVE_LABELS, PROBE_SCRIPT, parseProbe, type PlatformProbe } from './env/sources/platform.js';

export interface GrainsAndEnv {
  grains: Grains;
  /** Reads a file on the host: the prefetched ones from memory, others (and failed ones) from the host. */
  read(path: string): Promise<Buffer | null>;
  /** The platform probe, when it was asked for. */
  platform?: Promise<PlatformProbe>;
}

export interface GrainsAndEnvOptions {
  /** Files to read in the same round trip. */
  files: readonly string[];
  /** Also run the platform probe (with these drive labels); absent: no probe. */
  probeLabels?: readonly string[];
}

// $1 marker, $2 probe? (1/0), $3 number of files, then the files, then the probe's labels. The grains
// run as a function (its own positional parameters, no subshell: one fork less on every host); its
// variables are not named brine_*.
const SCRIPT = `brine_n=$1 brine_p=$2 brine_c=$3; shift 3
brine_g() {
${GRAINS_SCRIPT}
}
brine_g
brine_i=0
while [ "$brine_i" -lt "$brine_c" ]; do
  brine_f=$1; shift; brine_i=$((brine_i + 1))
  if [ ! -e "$brine_f" ]; then printf '\\n%s missing %s\\n' "$brine_n" "$brine_i"
  elif [ -f "$brine_f" ] && [ -r "$brine_f" ]; then
    printf '\\n%s file %s\\n' "$brine_n" "$brine_i"
    cat -- "$brine_f" || printf '\\n%s error %s\\n' "$brine_n" "$brine_i"
  else printf '\\n%s error %s\\n' "$brine_n" "$brine_i"
  fi
done
printf '\\n%s probe\\n' "$brine_n"
[ "$brine_p" = 1 ] && (${PROBE_SCRIPT})
printf '\\n%s end\\n' "$brine_n"
exit 0`;

export async function readGrainsAndEnv(host: Host, o: GrainsAndEnvOptions): Promise<GrainsAndEnv> {
  const marker = `@@brine-${randomBytes(8).toString('hex')}`;
  const probe = o.probeLabels !== undefined;
  const argv = ['sh', '-c', SCRIPT, 'sh', marker, probe ? '1' : '0', String(o.files.length), ...o.files];
  const r = await host.exec([...argv, ...(o.probeLabels ?? [])], { readOnly: true });
  const parts = r.stdout.split(`\n${marker} `);
  const last = parts[parts.length - 1] ?? '';
  if (!parts[0]!.includes('kernel=') || last !== 'end\n') {
    throw new TransportError(
      host.name,
      `could not read grains (exit ${r.exitCode}): ${r.stderr.trim().split('\n').pop() ?? ''}`,
    );
  }
  const grains = parseGrains(parts[0]!);
  const known = new Map<string, Buffer | null>();
  let probeText = '';
  for (const part of parts.slice(1, -1)) {
    const nl = part.indexOf('\n');
    const [kind, num] = (nl < 0 ? part : part.slice(0, nl)).split(' ');
    const body = nl < 0 ? '' : part.slice(nl + 1);
    const path = o.files[Number(num) - 1];
    if (kind === 'probe') probeText = body;
    else if (path === undefined) continue;
    else if (kind === 'missing') known.set(path, null);
    else if (kind === 'file') known.set(path, Buffer.from(body, 'utf8'));
    else if (kind === 'error') known.delete(path);
  }
  return {
    grains,
    read: (path) => (known.has(path) ? Promise.resolve(known.get(path)!) : host.readFile(path)),
    ...(probe ? { platform: Promise.resolve(parseProbe(probeText)) } : {}),
  };
}

export { DRIVE_LABELS };
