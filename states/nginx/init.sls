# nginx in front of the application: https only (http answers ACME challenges and redirects),
# client certificates verified against the ECS CA, optional or mandatory per
# appliance:ssl:client_certs_mandatory.
include:
  - ssl

{%- set domain = salt['pillar.get']('appliance:domain', 'localhost') %}
{%- set envcert = salt['pillar.get']('appliance:ssl:key', '') and salt['pillar.get']('appliance:ssl:cert', '') %}
{%- set letsencrypt = salt['pillar.get']('appliance:ssl:letsencrypt:enabled', false) and not envcert %}

nginx:
  pkg.installed:
    - pkgs:
      - nginx
  service.running:
    - enable: true
    - require:
      - pkg: nginx
      - file: /app/etc/server.key.pem
      - file: /app/etc/server.cert.pem
      - cmd: seed_ecs_ca_ca.cert.pem
      - cmd: seed_ecs_ca_crl.pem
    - watch:
      - file: /etc/nginx/nginx.conf
      - file: /etc/nginx/sites-enabled/default
      - file: /app/etc/server.cert.pem

/etc/nginx/nginx.conf:
  file.managed:
    - source: salt://nginx/files/nginx.conf
    - template: jinja
    - require:
      - pkg: nginx

/etc/nginx/sites-enabled/default:
  file.absent:
    - require:
      - pkg: nginx

# the page nginx shows while the application is down; the boot chain writes its status into it
/var/www/html/503.html:
  file.managed:
    - source: salt://nginx/files/503.html
    - makedirs: true
    - replace: false
    - require:
      - pkg: nginx

{%- if letsencrypt %}

# the first Let's Encrypt certificate in this run (prepare-appliance), not after the next timer: nginx
# answers the HTTP-01 challenge with the self-signed certificate in place, dehydrated's hook then
# switches /app/etc/server.*.pem to the new certificate and reloads nginx (states/ssl). Skipped while a
# certificate for the domain is valid for 30 more days (the timer renews). As the original appliance
# does, a failed request does not fail the boot: the self-signed certificate stays, the message says
# why, letsencrypt-renew.timer tries again.
{%- set live = '/app/etc/dehydrated/certs/' ~ domain %}
letsencrypt_certificate:
  cmd.run:
    - name: >-
        { dehydrated --config /app/etc/dehydrated/config --register --accept-terms
        && dehydrated --config /app/etc/dehydrated/config --cron --accept-terms; }
        || echo "letsencrypt: no certificate for {{ domain }} yet, the self-signed one stays
        (letsencrypt-renew.timer tries again)" >&2
    - unless: >-
        openssl x509 -noout -checkend 2592000 -in {{ live }}/cert.pem
        && openssl x509 -noout -ext subjectAltName -in {{ live }}/cert.pem | grep -q "DNS:{{ domain }}$"
        && test "$(readlink /app/etc/server.cert.pem)" = {{ live }}/fullchain.pem
    - require:
      - service: nginx
      - file: /app/etc/dehydrated/config
      - file: /app/etc/dehydrated/domains.txt
      - file: /app/etc/dehydrated/acme-challenge
      - file: /usr/local/sbin/dehydrated-hook.sh
{%- endif %}
