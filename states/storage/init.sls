# Optional storage: filesystems labelled ecs-data and ecs-volatile are mounted on /data and
# /volatile when present (appliance:storage:ignore:{data,volatile}: true skips the check that they
# exist; the default env ignores both, a localhost appliance keeps everything on /).
include:
  - appliance.directories
  - systemd.reload

{%- set ignore = salt['pillar.get']('appliance:storage:ignore', false) %}
{%- for part in ['data', 'volatile'] %}
{%- set skip = ignore if ignore is sameas true or ignore is sameas false else ignore[part] %}
/etc/systemd/system/{{ part }}.mount:
  file.managed:
    - contents: |
        # managed by brine (states/storage): the filesystem labelled ecs-{{ part }} on /{{ part }}
        [Unit]
        Description=ECS {{ part }} storage
        ConditionPathExists=/dev/disk/by-label/ecs-{{ part }}
        Before=prepare-appliance.service

        [Mount]
        What=/dev/disk/by-label/ecs-{{ part }}
        Where=/{{ part }}
        Type=ext4
        Options=defaults,noatime,nofail

        [Install]
        WantedBy=local-fs.target
    - watch_in:
      - cmd: systemd_reload

enable_{{ part }}_mount:
  cmd.run:
    - name: systemctl enable {{ part }}.mount
    - unless: systemctl is-enabled --quiet {{ part }}.mount
    - require:
      - cmd: systemd_reload
      - file: /etc/systemd/system/{{ part }}.mount

{%- if not skip %}
# appliance:storage:ignore:{{ part }} is false: the labelled filesystem must exist
check_{{ part }}_storage:
  cmd.run:
    - name: echo "no filesystem labelled ecs-{{ part }}; set appliance:storage:ignore:{{ part }} or create it (mkfs.ext4 -L ecs-{{ part }} DEVICE)" >&2; exit 1
    - unless: test -e /dev/disk/by-label/ecs-{{ part }}
{%- endif %}
{%- endfor %}
