# Base system of every host: packages, locale, timezone, journald, sudo for agent forwarding.
{%- set timezone = salt['pillar.get']('timezone', 'Europe/Vienna') %}

base_packages:
  pkg.installed:
    - pkgs:
      - ca-certificates
      - curl
      - wget
      - rsync
      - gosu
      - git
      - socat
      - swaks
      - tmux
      - jq
      - lynx
      - mc
      - htop
      - gnupg
      - openssl
      - sudo
      - locales
      - tzdata
      - nodejs

system_timezone:
  timezone.system:
    - name: {{ timezone }}
    - utc: true
    - require:
      - pkg: base_packages

# locales: en_US for the system, de_DE for the database
{%- for loc in ['en_US.UTF-8', 'de_DE.UTF-8'] %}
locale_{{ loc }}:
  locale.present:
    - name: {{ loc }}
    - require:
      - pkg: base_packages
{%- endfor %}

system_locale:
  locale.system:
    - name: en_US.UTF-8
    - require:
      - locale: locale_en_US.UTF-8

# journald: a noisy appliance start needs a higher burst; keep the journal on disk, no syslog
/etc/systemd/journald.conf.d/appliance.conf:
  file.managed:
    - makedirs: true
    - contents: |
        [Journal]
        Storage=persistent
        RateLimitBurst=3000
        ForwardToSyslog=no

restart_journald:
  cmd.run:
    - name: systemctl restart systemd-journald
    - onchanges:
      - file: /etc/systemd/journald.conf.d/appliance.conf

/etc/sudoers.d/ssh_auth:
  file.managed:
    - mode: "0440"
    - makedirs: true
    # a broken sudoers file would lock every sudo user out: visudo must accept it first
    - check_cmd: /usr/sbin/visudo -cf
    - contents: |
        Defaults env_keep += "SSH_AUTH_SOCK"
    - require:
      - pkg: base_packages
