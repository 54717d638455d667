# Storage and the data layout (manual 6.4/6.5). The filesystems labelled ecs-data and ecs-volatile
# are mounted on /data and /volatile (data.mount, volatile.mount) unless the env ignores them
# (appliance:storage:ignore:{data,volatile}: true; the default env ignores both, a localhost
# appliance keeps everything on /). appliance:storage:setup partitions and formats new disks, as
# the original appliance: parted: {DEVICE: {type: gpt|mbr, parts: [{name, start, end, flags}]}},
# format: {DEVICE: {fstype, options}}; a disk with a partition table or filesystem is never touched.
# prepare-storage.sh then mounts them (copying what was there first) and makes the manual's
# directories and links, moving existing data once. The services that use them are ordered after
# their mounts (RequiresMountsFor).
include:
  - systemd.reload

{%- set ignore = salt['pillar.get']('appliance:storage:ignore', false) %}
{%- set setup = salt['pillar.get']('appliance:storage:setup', {}) %}
{%- if setup is string %}{% set setup = setup | load_yaml %}{% endif %}
{%- if not setup %}{% set setup = {} %}{% endif %}
{%- set parted = setup.parted if setup.parted is defined and setup.parted else {} %}
{%- set format = setup.format if setup.format is defined and setup.format else {} %}
{%- set mount_parts = [] %}
{%- for part in ['data', 'volatile'] %}
{%- set skip = ignore if ignore is sameas true or ignore is sameas false else ignore[part] %}
{%- if not skip %}{% do mount_parts.append(part) %}{% endif %}
{%- endfor %}
{%- set labels_present = [] %}
{%- for part in mount_parts %}{% do labels_present.append('blkid -L ecs-' ~ part ~ ' >/dev/null') %}{% endfor %}

{%- if mount_parts and (parted or format) %}
storage_packages:
  pkg.installed:
    - pkgs:
      - parted
      - e2fsprogs

{%- for disk, spec in parted | dictsort %}
{%- set label = '' if spec.type is not defined else ('msdos' if spec.type == 'mbr' else spec.type) %}
{%- if label %}
storage_parted_{{ disk }}:
  cmd.run:
    - name: parted --script {{ disk }} mklabel {{ label }}
    # a blank disk only: no partition table, no filesystem
    - onlyif: test -b {{ disk }} -a -z "$(blkid -p -s PTTYPE -o value {{ disk }})" -a -z "$(blkid -p -s TYPE -o value {{ disk }})"
    - unless: {{ labels_present | join(' && ') }}
    - require:
      - pkg: storage_packages
    - require_in:
      - cmd: prepare_storage
{%- endif %}
{%- for part in (spec.parts if spec.parts is defined else []) %}
{%- set n = loop.index %}
storage_parted_{{ disk }}_{{ n }}_{{ part.name }}:
  cmd.run:
    - name: |
        case {{ disk }} in *[0-9]) p={{ disk }}p{{ n }} ;; *) p={{ disk }}{{ n }} ;; esac
        parted --align optimal --script {{ disk }} mkpart {{ part.name }} {{ part.start }} {{ part.end }}{% for f in (part.flags if part.flags is defined else []) %} set {{ n }} {{ f }} on{% endfor %}
        command -v udevadm >/dev/null && udevadm settle --timeout=10 || true
        for i in $(seq 50); do test -b "$p" && exit 0; sleep 0.2; done
        echo "partition $p did not appear after parted" >&2; exit 1
    - unless: case {{ disk }} in *[0-9]) test -b {{ disk }}p{{ n }} ;; *) test -b {{ disk }}{{ n }} ;; esac
    - require:
      - pkg: storage_packages
{%- if label %}
      - cmd: storage_parted_{{ disk }}
{%- endif %}
{%- if n > 1 %}
      - cmd: storage_parted_{{ disk }}_{{ n - 1 }}_{{ spec.parts[n - 2].name }}
{%- endif %}
    - require_in:
      - cmd: prepare_storage
{%- for dev, _f in format | dictsort %}
      - cmd: storage_format_{{ dev }}
{%- endfor %}
{%- endfor %}
{%- endfor %}

{%- for dev, spec in format | dictsort %}
{%- set opts = spec.options if spec.options is defined else (spec.opts if spec.opts is defined else '') %}
storage_format_{{ dev }}:
  cmd.run:
    - name: {{ 'mkswap' if spec.fstype == 'swap' else 'mkfs.' ~ spec.fstype }} {{ opts if opts is string else opts | join(' ') }} {{ dev }}
    # an unformatted device only
    - onlyif: test -b {{ dev }} -a -z "$(blkid -p -s TYPE -o value {{ dev }})"
    - require:
      - pkg: storage_packages
    - require_in:
      - cmd: prepare_storage
{%- endfor %}
{%- endif %}

{%- for part in ['data', 'volatile'] %}
{%- if part in mount_parts %}
/etc/systemd/system/{{ part }}.mount:
  file.managed:
    - contents: |
        # managed by brine (states/storage): the filesystem labelled ecs-{{ part }} on /{{ part }}
        [Unit]
        Description=ECS {{ part }} storage
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
      - file: /etc/systemd/system/{{ part }}.mount
    - require_in:
      - cmd: prepare_storage
{%- else %}
disable_{{ part }}_mount:
  cmd.run:
    - name: systemctl disable {{ part }}.mount
    - onlyif: test -e /etc/systemd/system/{{ part }}.mount
    - unless: test "$(systemctl is-enabled {{ part }}.mount 2>/dev/null)" != enabled

/etc/systemd/system/{{ part }}.mount:
  file.absent:
    - require:
      - cmd: disable_{{ part }}_mount
    - watch_in:
      - cmd: systemd_reload
{%- endif %}
{%- endfor %}

# the services that keep data on /data or /volatile start after their filesystems are mounted
{%- for unit, paths in [['postgresql@.service', '/data/postgresql'], ['docker.service', '/volatile/docker'],
                        ['appliance.service', '/data/ecs-storage-vault /data/ecs-gpg /volatile/ecs-cache']] %}
/etc/systemd/system/{{ unit }}.d/storage.conf:
  file.managed:
    - makedirs: true
    - contents: |
        # managed by brine (states/storage)
        [Unit]
        RequiresMountsFor={{ paths }}
    - watch_in:
      - cmd: systemd_reload
    - require_in:
      - cmd: prepare_storage
{%- endfor %}

/etc/appliance/storage.conf:
  file.managed:
    - makedirs: true
    - contents: |
        # managed by brine (states/storage): the filesystems prepare-storage.sh mounts (ecs-PART on /PART)
        MOUNT_PARTS="{{ mount_parts | join(' ') }}"

/usr/local/share/appliance/prepare-storage.sh:
  file.managed:
    - source: salt://storage/files/prepare-storage.sh
    - makedirs: true
    - mode: "0755"

prepare_storage:
  cmd.run:
    - name: /usr/local/share/appliance/prepare-storage.sh
    - unless: /usr/local/share/appliance/prepare-storage.sh --check
    - require:
      - file: /usr/local/share/appliance/prepare-storage.sh
      - file: /etc/appliance/storage.conf
