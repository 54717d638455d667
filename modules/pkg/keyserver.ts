// pkgrepo.managed keyid + keyserver: fetches the key with gpg on the target (HKP, as Salt's
// `apt-key adv --keyserver` / gpg --recv-keys do), in a throwaway GNUPGHOME that also holds the
// keys the keyring file had, and returns the new keyring (binary, or armored for a .asc path).
// dirmngr resolves the keyserver with the system resolver (/etc/hosts, then DNS, as apt does) and
// honours $http_proxy.
import { StateError } from '../../engine/errors.js';
import { shell } from '../../engine/host/exec.js';
import type { Host } from '../../engine/host/host.js';
import { dearmor, hasKeyid, keyringFingerprints } from './openpgp.js';

/** A keyid as Salt takes it: 8 or 16 hex digits, or a whole v4/v6 fingerprint, optional 0x. */
export const KEYID_PATTERN = '^(0[xX])?([0-9A-Fa-f]{8}|[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$';

// $1 keyserver, $2 keyid, $3 the keyring file now (its keys are kept)
const FETCH = `set -e
command -v gpg >/dev/null || { echo "gpg not found: install gnupg to fetch keys from a keyserver" >&2; exit 127; }
T=$(mktemp -d /tmp/brine-gpg.XXXXXX)
trap 'gpgconf --kill all >/dev/null 2>&1; rm -rf "$T"' EXIT
export GNUPGHOME="$T"
printf 'standard-resolver\nhonor-http-proxy\n' > "$T/dirmngr.conf"
if [ -s "$3" ]; then gpg --batch --quiet --import "$3"; fi
gpg --batch --quiet --keyserver "$1" --recv-keys "0x$2"
gpg --batch --armor --export`;

export interface FetchSpec {
  path: string;
  keyid: string;
  keyserver: string;
}

/** The keyring to write at spec.path: what it had plus the fetched key; fails naming the keyserver. */
export async function fetchKey(host: Host, state: string, spec: FetchSpec): Promise<Buffer> {
  const r = await shell(host, FETCH, [spec.keyserver, spec.keyid, spec.path], { timeoutMs: 120_000 });
  if (r.exitCode !== 0) {
    const why = r.stderr.trim().split('\n').filter(Boolean).at(-1) ?? `exit ${r.exitCode}`;
    throw new StateError(state, `fetching key 0x${spec.keyid} from ${spec.keyserver} failed: ${why}`);
  }
  const bin = dearmor(r.stdout);
  if (!hasKeyid(keyringFingerprints(bin), spec.keyid)) {
    throw new StateError(state, `keyserver ${spec.keyserver} answered without key 0x${spec.keyid}`);
  }
  return spec.path.endsWith('.asc') ? Buffer.from(r.stdout.endsWith('\n') ? r.stdout : `${r.stdout}\n`) : bin;
}
