# sync-keyring.sh: makes a gpg home hold exactly the PGP private keys staged from the env (a changed
# key replaces the old one). One script for the backup key (states/backup) and the storage vault's
# keys (states/ecs/vault.sls), which call it with their home, owner and key files.
include:
  - appliance.directories

/usr/local/share/appliance/sync-keyring.sh:
  file.managed:
    - source: salt://appliance/files/sync-keyring.sh
    - mode: "0755"
    - require:
      - file: /usr/local/share/appliance

# the two scripts it replaces, on an appliance set up before
/usr/local/sbin/import-backup-key.sh:
  file.absent: []
/usr/local/share/appliance/import-vault-keys.sh:
  file.absent: []
