# postfix for the appliance's mail (listening on localhost and the docker bridge, relaying for
# the containers) with opendkim signing outgoing mail with the env's DKIM key
# (appliance:dkim:key).
include:
  - ssl
  - systemd.reload

{%- set domain = salt['pillar.get']('appliance:domain', 'localhost') %}
{%- set docker_ip = salt['pillar.get']('docker:ip', '172.17.0.1') %}
{%- set docker_net = salt['pillar.get']('docker:net', '172.17.0.0/16') %}

mail_packages:
  pkg.installed:
    - pkgs:
      - postfix
      - bsd-mailx
      - opendkim
      - opendkim-tools
    # the package starts postfix at once: it must find our main.cf, not its default (all interfaces)
    - require:
      - file: /etc/postfix/main.cf
      - file: /etc/mailname

/etc/postfix/main.cf:
  file.managed:
    - source: salt://postfix/files/main.cf
    - template: jinja
    - makedirs: true
    - context:
        domain: {{ domain }}
        docker_ip: {{ docker_ip }}
        docker_net: {{ docker_net }}

/etc/mailname:
  file.managed:
    - contents: |
        {{ domain }}

/etc/opendkim.conf:
  file.managed:
    - source: salt://postfix/files/opendkim.conf
    - template: jinja
    - context:
        domain: {{ domain }}
        docker_net: {{ docker_net }}
    - require:
      - pkg: mail_packages

/etc/dkimkeys/dkim.key:
  file.managed:
    - user: opendkim
    - group: opendkim
    - mode: "0600"
    - makedirs: true
    - contents_pillar: appliance:dkim:key
    - require:
      - pkg: mail_packages

# run opendkim with our config only (Debian's unit passes its own socket)
/etc/systemd/system/opendkim.service.d/appliance.conf:
  file.managed:
    - makedirs: true
    - contents: |
        [Service]
        Type=simple
        PIDFile=
        ExecStart=
        ExecStart=/usr/sbin/opendkim -f -x /etc/opendkim.conf
    - watch_in:
      - cmd: systemd_reload

opendkim:
  service.running:
    - enable: true
    - require:
      - pkg: mail_packages
      - cmd: systemd_reload
    - watch:
      - file: /etc/systemd/system/opendkim.service.d/appliance.conf
      - file: /etc/opendkim.conf
      - file: /etc/dkimkeys/dkim.key

postfix:
  service.running:
    - enable: true
    - require:
      - pkg: mail_packages
      - service: opendkim
      - file: /app/etc/server.key.pem
      - file: /app/etc/server.cert.pem
    - watch:
      - file: /etc/postfix/main.cf
      - file: /etc/mailname
