# Backup of /data (storage vault and a database dump) with duplicity, gpg-encrypted with the
# env's appliance:backup:encrypt key, to appliance:backup:url: daily, a full backup every two
# months, backups older than four months purged. The run refuses to start when the database is
# missing or the storage vault is empty (a broken appliance must not overwrite good backups).
# recover-from-backup.sh restores the newest backup.
include:
  - appliance.directories
  - systemd.reload

backup_packages:
  pkg.installed:
    - pkgs:
      - duplicity
      - gnupg
      - lftp
      - python3-paramiko
      - cifs-utils

/etc/appliance/backup.conf:
  file.managed:
    - makedirs: true
    - mode: "0600"
    - contents: |
        # managed by brine (states/backup)
        BACKUP_URL="{{ salt['pillar.get']('appliance:backup:url', 'file:///volatile/ecs-backup-test/') }}"
        BACKUP_OPTIONS="{{ salt['pillar.get']('appliance:backup:options', '') }}"
        FULL_IF_OLDER_THAN=2M
        REMOVE_OLDER_THAN=4M
        DATABASE={{ salt['pillar.get']('ecs:database', 'ecs') }}
        PGPORT={{ salt['pillar.get']('postgresql:port', 5432) }}

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
      - file: /usr/local/sbin/appliance-backup.sh
      - file: /etc/systemd/system/appliance-backup.service
    - watch:
      - file: /etc/systemd/system/appliance-backup.timer
