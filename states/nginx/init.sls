# nginx in front of the application: https only (http answers ACME challenges and redirects),
# client certificates verified against the ECS CA, optional or mandatory per
# appliance:ssl:client_certs_mandatory.
include:
  - ssl

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
