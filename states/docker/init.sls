# Docker engine and compose (Debian's packages) with the bridge the appliance expects
# (docker:ip / docker:net, default 172.17.0.1/16). `docker:enabled: false` in the pillar skips
# the engine (hosts where docker cannot run, e.g. inside a systemd-nspawn test target).
include:
  - systemd.reload

{%- if salt['pillar.get']('docker:enabled', true) %}
/etc/docker/daemon.json:
  file.managed:
    - makedirs: true
    - source: salt://docker/files/daemon.json
    - template: jinja

docker:
  pkg.installed:
    - pkgs:
      - docker.io
      - docker-compose
      - bridge-utils
      - iptables
    - require:
      - file: /etc/docker/daemon.json
  service.running:
    - enable: true
    - require:
      - pkg: docker
    - watch:
      - file: /etc/docker/daemon.json

# PostgreSQL and postfix listen on the docker bridge address (the containers reach the database
# and the mail relay there): at boot they start after dockerd has created the bridge
{%- for unit in ['postgresql@.service', 'postfix@.service'] %}
/etc/systemd/system/{{ unit }}.d/after-docker.conf:
  file.managed:
    - makedirs: true
    - contents: |
        # managed by brine (states/docker): the docker bridge address exists once dockerd runs
        [Unit]
        Wants=docker.service
        After=docker.service
    - watch_in:
      - cmd: systemd_reload
{%- endfor %}
{%- endif %}
