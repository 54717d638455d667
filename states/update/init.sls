# Updates (manual 4.5): the appliance-update timer (appliance:update:oncalendar, default 06:30)
# pulls the states, runs `brine highstate`, installs updates with unattended-upgrade (the origins
# below: Debian stable, -updates, -security), reboots when a package asks for it (reboot-notifier
# writes /run/reboot-required on Debian 12) and restarts the appliance only when something changed.
# appliance:update:automatic: false stops and disables the timer. Debian's own periodic
# upgrades are off: the appliance updates itself in one place.
include:
  - systemd.reload
  - brine

{%- set automatic = salt['pillar.get']('appliance:update:automatic', true) %}

update_packages:
  pkg.installed:
    - pkgs:
      - unattended-upgrades
      - reboot-notifier

/etc/apt/apt.conf.d/50unattended-upgrades:
  file.managed:
    - contents: |
        // managed by brine (states/update): what appliance-update installs with unattended-upgrade
        Unattended-Upgrade::Origins-Pattern {
                "origin=Debian,codename=${distro_codename},label=Debian";
                "origin=Debian,codename=${distro_codename}-updates,label=Debian";
                "origin=Debian,codename=${distro_codename},label=Debian-Security";
                "origin=Debian,codename=${distro_codename}-security,label=Debian-Security";
        };
        Unattended-Upgrade::Package-Blacklist {
        };
        Unattended-Upgrade::Mail "root";
        Unattended-Upgrade::MailReport "only-on-error";
        Unattended-Upgrade::Automatic-Reboot "false";
        Unattended-Upgrade::Remove-Unused-Dependencies "true";
        Dpkg::Options {
           "--force-confdef";
           "--force-confold";
        };
    - require:
      - pkg: update_packages

/usr/local/sbin/appliance-update.sh:
  file.managed:
    - source: salt://update/files/appliance-update.sh
    - mode: "0755"

/etc/apt/apt.conf.d/20auto-upgrades:
  file.managed:
    - require:
      - pkg: update_packages
    - contents: |
        // managed by brine (states/update): appliance-update.timer updates the system
        APT::Periodic::Update-Package-Lists "0";
        APT::Periodic::Unattended-Upgrade "0";

/etc/systemd/system/appliance-update.service:
  file.managed:
    - source: salt://update/files/appliance-update.service
    - watch_in:
      - cmd: systemd_reload

/usr/local/sbin/check-oncalendar.sh:
  file.managed:
    - source: salt://update/files/check-oncalendar.sh
    - mode: "0755"

# appliance:update:oncalendar is checked with systemd-analyze before the timer file changes: a bad
# value is a state error naming the key, and the timer keeps its last good schedule. The timer file
# has a daemon-reload of its own: its failure stops the update timer's states, not every unit's.
/etc/systemd/system/appliance-update.timer:
  file.managed:
    - contents: |
        # managed by brine (states/update)
        [Unit]
        Description=Appliance update

        [Timer]
        OnCalendar={{ salt['pillar.get']('appliance:update:oncalendar', '*-*-* 06:30:00') }}
        Persistent=false

        [Install]
        WantedBy=timers.target
    - check_cmd: /usr/local/sbin/check-oncalendar.sh appliance:update:oncalendar
    - require:
      - file: /usr/local/sbin/check-oncalendar.sh

appliance_update_timer_reload:
  cmd.wait:
    - name: systemctl daemon-reload
    - watch:
      - file: /etc/systemd/system/appliance-update.timer

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
      - cmd: appliance_update_timer_reload
      - file: /etc/systemd/system/appliance-update.service
      - file: /etc/systemd/system/appliance-update.timer
      - file: /usr/local/sbin/appliance-update.sh
      - file: /etc/apt/apt.conf.d/50unattended-upgrades
