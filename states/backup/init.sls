# Backup of /data (storage vault and a database dump) with duplicity, gpg-encrypted with the
# env's appliance:backup:encrypt key, to appliance:backup:url: daily, a full backup every two
# months, backups older than four months purged. The run refuses to start when the database is
# missing or the storage vault is empty (a broken appliance must not overwrite good backups).
# recover-from-backup.sh restores the newest backup.
include:
  - appliance.directories
  - appliance.keyring
  - systemd.reload

backup_packages:
  pkg.installed:
    - pkgs:
      - duplicity
      - gnupg
      - lftp
      - python3-paramiko
      - cifs-utils

# sourced by the backup scripts: every value quoted for the shell (a URL password may hold $ " ' `
# or a backslash); never shown in a diff (the URL may hold a password)
/etc/appliance/backup.conf:
  file.managed:
    - makedirs: true
    - mode: "0600"
    - show_changes: false
    - contents: |
        # managed by brine (states/backup)
        BACKUP_URL={{ salt['pillar.get']('appliance:backup:url', 'file:///volatile/ecs-backup-test/')|quote }}
        BACKUP_OPTIONS={{ salt['pillar.get']('appliance:backup:options', '')|quote }}
        FULL_IF_OLDER_THAN=2M
        REMOVE_OLDER_THAN=4M
        DATABASE={{ salt['pillar.get']('ecs:database', 'ecs')|quote }}
        PGPORT={{ salt['pillar.get']('postgresql:port', 5432) }}

# the backup key: staged root-only; the keyring /root/.gnupg-backup is rebuilt from it whenever they
# differ (a changed key replaces the old one); appliance-backup.sh checks it the same way
/etc/appliance/backup-key.asc:
  file.managed:
    - makedirs: true
    - mode: "0600"
    - contents_pillar: appliance:backup:encrypt

{%- set sync = '/usr/local/share/appliance/sync-keyring.sh' ~
    ' --home /root/.gnupg-backup /etc/appliance/backup-key.asc=appliance:backup:encrypt' %}
backup_key:
  cmd.run:
    - name: {{ sync }}
    - unless: {{ sync }} --check
    - require:
      - pkg: backup_packages
      - file: /usr/local/share/appliance/sync-keyring.sh
      - file: /etc/appliance/backup-key.asc

{%- for n in ['appliance-backup.sh', 'recover-from-backup.sh'] %}
/usr/local/sbin/{{ n }}:
  file.managed:
    - source: salt://backup/files/{{ n }}
    - mode: "0755"
{%- endfor %}

{%- for u in ['appliance-backup.service', 'appliance-backup.timer'] %}
/etc/systemd/system/{{ u }}:
  file.managed:
    - source: salt://backup/files/{{ u }}
    - watch_in:
      - cmd: systemd_reload
{%- endfor %}

appliance-backup.timer:
  service.running:
    - enable: true
    - require:
      - cmd: systemd_reload
      - pkg: backup_packages
      - file: /etc/appliance/backup.conf
      - cmd: backup_key
      - file: /usr/local/sbin/appliance-backup.sh
      - file: /etc/systemd/system/appliance-backup.service
    - watch:
      - file: /etc/systemd/system/appliance-backup.timer
