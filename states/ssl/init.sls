# TLS for nginx, postfix and stunnel: /app/etc/server.{key,cert}.pem, links to the certificate in use:
# - appliance:ssl:key + appliance:ssl:cert (env): that key and certificate (/app/etc/env-cert), as given.
# - else appliance:ssl:letsencrypt:enabled: a Let's Encrypt certificate for appliance:domain from
#   dehydrated (Debian package). The first one is requested in the same highstate, as soon as nginx
#   answers the HTTP-01 challenge (states/nginx: letsencrypt_certificate), and the hook switches the
#   links and reloads nginx, postfix and stunnel; the self-signed one is used until then. A daily timer
#   renews (the hook reloads again).
#   TEST ONLY: appliance:ssl:letsencrypt:ca (another ACME directory URL) and :ca_cert (a PEM CA that
#   dehydrated trusts for it) point dehydrated at a local ACME server (pebble); never set in production.
# - otherwise a self-signed certificate for the domain (created once, kept).
# The client-certificate CA (/data/ecs-ca, linked from /app/ecs-ca) starts as a local CA
# created here; the ECS web application takes it over.
include:
  - appliance.directories
  - systemd.reload

{%- set domain = salt['pillar.get']('appliance:domain', 'localhost') %}
{%- set envkey = salt['pillar.get']('appliance:ssl:key', '') %}
{%- set envcert = salt['pillar.get']('appliance:ssl:cert', '') %}
{%- set fromenv = true if (envkey and envcert) else false %}
{%- set letsencrypt = salt['pillar.get']('appliance:ssl:letsencrypt:enabled', false) and not fromenv %}
{%- set acme_ca = salt['pillar.get']('appliance:ssl:letsencrypt:ca', '') %}
{%- set acme_ca_cert = salt['pillar.get']('appliance:ssl:letsencrypt:ca_cert', '') %}

ssl_packages:
  pkg.installed:
    - pkgs:
      - openssl
      - ssl-cert
      - dehydrated

/app/etc/selfsigned:
  file.directory:
    - mode: "0700"
    - require:
      - file: /app/etc

selfsigned_cert:
  cmd.run:
    - name: >-
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN={{ domain }}"
        -addext "subjectAltName=DNS:{{ domain }}"
        -keyout /app/etc/selfsigned/server.key.pem -out /app/etc/selfsigned/server.cert.pem
    - unless: openssl x509 -noout -subject -in /app/etc/selfsigned/server.cert.pem | grep -q "CN *= *{{ domain }}$"
    - require:
      - file: /app/etc/selfsigned
      - pkg: ssl_packages

{%- if fromenv %}
/app/etc/env-cert:
  file.directory:
    - mode: "0700"
    - require:
      - file: /app/etc

/app/etc/env-cert/server.key.pem:
  file.managed:
    - contents_pillar: appliance:ssl:key
    - mode: "0600"
    - require:
      - file: /app/etc/env-cert

/app/etc/env-cert/server.cert.pem:
  file.managed:
    - contents_pillar: appliance:ssl:cert
    - mode: "0644"
    - require:
      - file: /app/etc/env-cert
{%- endif %}

# the certificate in use: the env's, else letsencrypt's when it exists, else the self-signed one
{%- set live = '/app/etc/dehydrated/certs/' ~ domain %}
{%- for f, le in [['server.key.pem', 'privkey.pem'], ['server.cert.pem', 'fullchain.pem']] %}
/app/etc/{{ f }}:
  file.symlink:
{%- if fromenv %}
    - target: /app/etc/env-cert/{{ f }}
{%- elif letsencrypt %}
    - target: {{ live }}/{{ le }}
    - onlyif: test -e {{ live }}/{{ le }}
{%- else %}
    - target: /app/etc/selfsigned/{{ f }}
{%- endif %}
    - force: true
    - require:
      - cmd: selfsigned_cert
{%- if fromenv %}
      - file: /app/etc/env-cert/{{ f }}
{%- endif %}

{%- if letsencrypt %}
/app/etc/{{ f }}_fallback:
  file.symlink:
    - name: /app/etc/{{ f }}
    - target: /app/etc/selfsigned/{{ f }}
    - unless: test -e {{ live }}/{{ le }}
    - force: true
    - require:
      - cmd: selfsigned_cert
{%- endif %}
{%- endfor %}

/app/etc/dehydrated:
  file.directory:
    - require:
      - file: /app/etc

/app/etc/dehydrated/acme-challenge:
  file.directory:
    - require:
      - file: /app/etc/dehydrated

/app/etc/dehydrated/config:
  file.managed:
    - contents: |
        BASEDIR="/app/etc/dehydrated"
        WELLKNOWN="/app/etc/dehydrated/acme-challenge"
        DOMAINS_TXT="/app/etc/dehydrated/domains.txt"
        HOOK="/usr/local/sbin/dehydrated-hook.sh"
        CONTACT_EMAIL="root@{{ domain }}"
{%- if acme_ca %}
        CA="{{ acme_ca }}"
{%- endif %}
{%- if acme_ca_cert %}
        export CURL_CA_BUNDLE=/app/etc/dehydrated/acme-ca.pem
{%- endif %}
    - require:
      - file: /app/etc/dehydrated

/app/etc/dehydrated/domains.txt:
  file.managed:
    - contents: |
        {{ domain }}
    - require:
      - file: /app/etc/dehydrated

{%- if acme_ca_cert %}

# TEST ONLY (see the top): the CA of a local ACME server
/app/etc/dehydrated/acme-ca.pem:
  file.managed:
    - contents_pillar: appliance:ssl:letsencrypt:ca_cert
    - require:
      - file: /app/etc/dehydrated
{%- endif %}

/usr/local/sbin/dehydrated-hook.sh:
  file.managed:
    - source: salt://ssl/files/dehydrated-hook.sh
    - mode: "0755"

{%- for u in ['letsencrypt-renew.service', 'letsencrypt-renew.timer'] %}
/etc/systemd/system/{{ u }}:
  file.managed:
    - source: salt://ssl/files/{{ u }}
    - watch_in:
      - cmd: systemd_reload
{%- endfor %}

letsencrypt-renew.timer:
{%- if letsencrypt %}
  service.running:
    - enable: true
{%- else %}
  service.dead:
    - enable: false
{%- endif %}
    - require:
      - cmd: systemd_reload
      - file: /etc/systemd/system/letsencrypt-renew.service
      - file: /etc/systemd/system/letsencrypt-renew.timer
      - file: /app/etc/dehydrated/config
      - pkg: ssl_packages

# client certificate CA (ECS issues client certificates from it; nginx verifies against it)
/app/etc/client-ca:
  file.directory:
    - mode: "0700"
    - require:
      - file: /app/etc

client_ca:
  cmd.run:
    - name: >-
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650
        -subj "/CN=ECS client CA {{ domain }}" -keyout /app/etc/client-ca/ca.key.pem -out /app/etc/client-ca/ca.cert.pem
        && openssl ca -gencrl -batch -keyfile /app/etc/client-ca/ca.key.pem -cert /app/etc/client-ca/ca.cert.pem
        -config /app/etc/client-ca/openssl.cnf -out /app/etc/client-ca/crl.pem
    - unless: test -s /app/etc/client-ca/ca.cert.pem -a -s /app/etc/client-ca/crl.pem
    - require:
      - file: /app/etc/client-ca/openssl.cnf
      - file: /app/etc/client-ca/index.txt
      - pkg: ssl_packages

/app/etc/client-ca/index.txt:
  file.managed:
    - contents: ''
    - replace: false
    - require:
      - file: /app/etc/client-ca

/app/etc/client-ca/openssl.cnf:
  file.managed:
    - contents: |
        [ ca ]
        default_ca = client_ca
        [ client_ca ]
        database = /app/etc/client-ca/index.txt
        new_certs_dir = /app/etc/client-ca
        serial = /app/etc/client-ca/serial
        default_md = sha256
        default_days = 3650
        default_crl_days = 3650
        policy = policy_any
        [ policy_any ]
        commonName = supplied
        emailAddress = optional
    - require:
      - file: /app/etc/client-ca

# the CA the application owns lives in /data/ecs-ca; seed it once
{%- for f in ['ca.cert.pem', 'crl.pem'] %}
seed_ecs_ca_{{ f }}:
  cmd.run:
    - name: install -o 1000 -g 1000 -m 0644 /app/etc/client-ca/{{ f }} /data/ecs-ca/{{ f }}
    - unless: test -s /data/ecs-ca/{{ f }}
    - require:
      - cmd: client_ca
      - file: /data/ecs-ca
{%- endfor %}
