// The text of a new env.yml: `#cloud-config` first, the DNS records as comments, then the keys of
// the ECS env template with fresh secrets and the commented-out options an operator may enable.
export interface EnvTemplateInput {
  domain: string;
  dnsRecords: string[];
  dkimKey: string;
  backupKey: string;
  vaultEncryptKey: string;
  vaultSignKey: string;
  secretKey: string;
  registrationSecret: string;
  passwordResetSecret: string;
}

const indent = (text: string, n: number): string =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => (l ? ' '.repeat(n) + l : l))
    .join('\n');

export function envTemplate(i: EnvTemplateInput): string {
  return `#cloud-config
# keep the "#cloud-config" line first and unchanged: cloud-init and the appliance expect it
#
# This file holds every secret of the appliance: keep it safe (mode 0600), keep a copy offline;
# it is all you need to restore the appliance from its backup.
#
# change ecs:settings: EMAIL_BACKEND to 'django.core.mail.backends.smtp.EmailBackend'
# change ecs:settings: ETHICS_COMMISSION_UUID to the desired uuid
# add appliance:update:oncalendar to set a custom update schedule
#
${i.dnsRecords.map((l) => `# ${l}`).join('\n')}

# ssh_authorized_keys: root's ssh keys (also used by cloud-init), e.g.
#   - "ssh-ed25519 AAAA... somebody@somewhere"
ssh_authorized_keys: []
# ssh_deprecated_keys: keys removed from logins on highstate (and a log of past access)
ssh_deprecated_keys: []
disable_root: false

appliance:
  # standby: true   # the appliance will not activate
  # sentry:
  #   dsn: 'https://url'
  # metric:
  #   exporter: false
  #   server: false
  #   gui: false
  #   pghero: false
  # extra:
  #   files:
  #     - path: /path/of/filename
  #       contents: |
  #         # content here
  #       owner: user:group
  #       permissions: "0600"
  #   packages:
  #     - qrcode
  # update:
  #   automatic: true
  #   oncalendar: Sun *-*-* 06:30:00   # not between 00:30 and 06:30: the backup runs then
  domain: ${i.domain}
  allowed_hosts: ${i.domain}
  ssl:
    letsencrypt:
      enabled: true
    client_certs_mandatory: false
    # key: filename-key.pem    # use this key/cert instead of letsencrypt's
    # cert: filename-cert.pem
  storage:
    ignore:
      volatile: true
      data: true
  dkim:
    key: |
${indent(i.dkimKey, 6)}
  backup:
    url: file:///volatile/ecs-backup-test/
    # options: "string of options passed to duplicity"
    # mount:
    #   type: cifs
    #   source: //1.2.3.4/datavolume
    #   target: /mnt/appliance-backup-mount
    #   options: user=username,pass=password
    encrypt: |
${indent(i.backupKey, 6)}

ecs:
  userswitcher:
    enabled: false
  settings: |
    DOMAIN = '${i.domain}'
    ABSOLUTE_URL_PREFIX = 'https://{}'.format(DOMAIN)
    ALLOWED_HOSTS = [DOMAIN, ]
    PDFAS_SERVICE = ABSOLUTE_URL_PREFIX+ '/pdf-as-web/'
    SECURE_PROXY_SSL = True
    ECS_REQUIRE_CLIENT_CERTS = True
    DEBUG = False
    # SENTRY_DSN = 'https://url'
    ETHICS_COMMISSION_UUID = 'ecececececececececececececececec'

    SECRET_KEY = '${i.secretKey}'
    REGISTRATION_SECRET = '${i.registrationSecret}'
    PASSWORD_RESET_SECRET = '${i.passwordResetSecret}'

    EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend'
    EMAIL_BACKEND_UNFILTERED = 'django.core.mail.backends.smtp.EmailBackend'
    EMAIL_UNFILTERED_DOMAINS = ()  # = ('example.com',)
    EMAIL_UNFILTERED_INDIVIDUALS = ()  # = ('ada@example.org', 'tom@example.com')

    SMTPD_CONFIG['listen_addr'] = ('0.0.0.0', 8025)
    SMTPD_CONFIG['domain'] = DOMAIN
  vault_encrypt: |
${indent(i.vaultEncryptKey, 4)}
  vault_sign: |
${indent(i.vaultSignKey, 4)}
`;
}
