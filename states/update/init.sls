# Updates: the appliance-update timer (appliance:update:oncalendar, default 06:30) pulls the
# states, runs `brine highstate`, applies system updates and restarts the appliance.
# appliance:update:automatic: false stops and disables the timer. Debian's own periodic
# upgrades are off: the appliance updates itself in one place.
include:
  - systemd.reload
  - brine

{%- set automatic = salt['pillar.get']('appliance:update:automatic', true) %}

/usr/local/sbin/appliance-update.sh:
  file.managed:
    - source: salt://update/files/appliance-update.sh
    - mode: "0755"

/etc/apt/apt.conf.d/20auto-upgrades:
  file.managed:
    - contents: |
        // managed by brine (states/update): appliance-update.timer updates the system
        APT::Periodic::Update-Package-Lists "0";
        APT::Periodic::Unattended-Upgrade "0";

/etc/systemd/system/appliance-update.service:
  file.managed:
    - source: salt://update/files/appliance-update.service
    - watch_in:
      - cmd: systemd_reload

/etc/systemd/system/appliance-update.timer:
  file.managed:
    - contents: |
        # managed by brine (states/update)
        [Unit]
        Description=Appliance update ({{ salt['pillar.get']('appliance:update:oncalendar', '*-*-* 06:30:00') }})

        [Timer]
        OnCalendar={{ salt['pillar.get']('appliance:update:oncalendar', '*-*-* 06:30:00') }}
        Persistent=false

        [Install]
        WantedBy=timers.target
    - watch_in:
      - cmd: systemd_reload

appliance-update.timer:
{%- if automatic %}
  service.running:
    - enable: true
    - watch:
      - file: /etc/systemd/system/appliance-update.timer
{%- else %}
  service.dead:
    - enable: false
{%- endif %}
    - require:
      - cmd: systemd_reload
      - file: /etc/systemd/system/appliance-update.service
      - file: /etc/systemd/system/appliance-update.timer
      - file: /usr/local/sbin/appliance-update.sh
