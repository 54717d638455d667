// The JSON schema of env.yml (modelled on the ECS appliance's env template). `secret: true`
// marks values that are redacted from every output; `secret: 'url'` a URL that is redacted whole
// when it carries credentials (`sftp://user:password@host/`, `https://TOKEN@host/`, see
// secrets.ts); `description` says what is expected. Neither kind is ever shown in an error.
// Unknown keys under appliance:/ecs: are reported as warnings (additionalProperties: false is
// turned into a warning by validate.ts); other top-level keys belong to cloud-init and pass.
import type { JSONSchema } from '../contract.js';

const bool = { type: 'boolean' };
const str = { type: 'string' };
const nullableList = { type: ['array', 'null'], items: { type: 'string' } };
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}): JSONSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...extra,
});
/** A URL that may carry credentials (a password, a token as user name). */
const credUrl = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  secret: 'url',
  description,
  ...extra,
});
const git = obj({ branch: str, source: credUrl('a git URL (https://host/repo.git, git@host:repo.git)') });
/** appliance:storage:setup: partition and format new disks (states/storage). */
const STORAGE_SETUP = obj({
  parted: {
    type: 'object',
    additionalProperties: obj({
      type: { enum: ['gpt', 'mbr', 'msdos'], description: 'gpt or mbr' },
      parts: {
        type: 'array',
        items: obj(
          {
            name: str,
            start: { type: ['string', 'number'] },
            end: { type: ['string', 'number'] },
            flags: { type: 'array', items: str },
          },
          { required: ['name', 'start', 'end'] },
        ),
      },
    }),
  },
  format: {
    type: 'object',
    additionalProperties: obj(
      { fstype: str, options: { type: ['string', 'array'], items: str }, opts: str },
      { required: ['fstype'] },
    ),
  },
});

const DOMAIN =
  '^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$';

export const ENV_SCHEMA: JSONSchema = {
  type: 'object',
  required: ['appliance'],
  properties: {
    ssh_authorized_keys: nullableList,
    ssh_deprecated_keys: nullableList,
    disable_root: bool,
    appliance: obj(
      {
        standby: bool,
        // the pillar tree sets it (states/top.sls selects the appliance states by it); an env may override
        enabled: bool,
        domain: { type: 'string', pattern: DOMAIN, description: 'a DNS name like ecs.example.org' },
        allowed_hosts: str,
        ssl: obj({
          letsencrypt: obj({ enabled: bool }),
          client_certs_mandatory: bool,
          key: { type: 'string', secret: true },
          cert: str,
        }),
        sentry: obj({ dsn: { type: 'string', secret: true } }),
        metric: obj({ exporter: bool, server: bool, gui: bool, pghero: bool }),
        git,
        extra: obj({
          files: {
            type: ['array', 'null'],
            items: obj(
              {
                path: { type: 'string', pattern: '^/', description: 'an absolute path' },
                contents: str,
                owner: { type: 'string', pattern: '^[^:\\s]+(:[^:\\s]+)?$', description: 'user or user:group' },
                permissions: {
                  type: 'string',
                  pattern: '^0?[0-7]{3,4}$',
                  description: 'an octal mode in quotes, like "0600"',
                },
              },
              { required: ['path'] },
            ),
          },
          packages: nullableList,
          states: str,
        }),
        update: obj({
          automatic: bool,
          oncalendar: { type: 'string', description: 'a systemd OnCalendar expression' },
        }),
        storage: obj({
          setup: {
            anyOf: [str, STORAGE_SETUP],
            description: 'a mapping of parted: and format: (as the original appliance), or YAML text of one',
          },
          proxy_cache: bool,
          grow_root: bool,
          ignore: { anyOf: [bool, obj({ volatile: bool, data: bool })], description: 'true/false or {volatile, data}' },
        }),
        dkim: obj({
          key: {
            type: 'string',
            secret: true,
            pattern: '-----BEGIN (RSA )?PRIVATE KEY-----',
            description: 'a PEM RSA private key',
          },
        }),
        backup: obj({
          url: credUrl('a duplicity URL like file:///path or sftp://user@host/path', {
            pattern: '^[a-z][a-z0-9+]*://',
          }),
          // duplicity's options may carry a credential (--gpg-options='--passphrase=...')
          options: { type: 'string', secret: true },
          mount: obj({ type: str, source: str, target: str, options: { type: 'string', secret: true } }),
          encrypt: {
            type: 'string',
            secret: true,
            pattern: '-----BEGIN PGP PRIVATE KEY BLOCK-----',
            description: 'an ASCII-armoured PGP private key',
          },
        }),
      },
      // a standby appliance needs no domain: it will not activate
      { if: { required: ['standby'], properties: { standby: { const: true } } }, else: { required: ['domain'] } },
    ),
    ecs: obj({
      git,
      database: str,
      migrate: obj({ auto: bool }),
      userswitcher: obj({ enabled: bool, parameter: str }),
      settings: { type: 'string', description: 'Django settings (Python) as a block string' },
      vault_encrypt: {
        type: 'string',
        secret: true,
        pattern: '-----BEGIN PGP PRIVATE KEY BLOCK-----',
        description: 'an ASCII-armoured PGP private key',
      },
      vault_sign: {
        type: 'string',
        secret: true,
        pattern: '-----BEGIN PGP PRIVATE KEY BLOCK-----',
        description: 'an ASCII-armoured PGP private key',
      },
    }),
  },
};
