# stunnel: SMTP over TLS on the public address, 465 (smtps) and 25 (STARTTLS) to postfix... the
# application's smtpd on 127.0.0.1:5025 (ECS receives mail for its own domain).
include:
  - ssl
  - systemd.reload
  - postfix

stunnel4:
  pkg.installed: []

/app/etc/stunnel.conf:
  file.managed:
    - source: salt://stunnel/files/stunnel.conf
    - template: jinja
    - require:
      - file: /app/etc

/etc/systemd/system/stunnel.service:
  file.managed:
    - source: salt://stunnel/files/stunnel.service
    - watch_in:
      - cmd: systemd_reload

stunnel:
  service.running:
    - enable: true
    - require:
      - pkg: stunnel4
      - cmd: systemd_reload
      # postfix must have let go of the public :25 (its package default listens everywhere)
      - service: postfix
      - file: /app/etc/server.key.pem
      - file: /app/etc/server.cert.pem
    - watch:
      - file: /app/etc/stunnel.conf
      - file: /etc/systemd/system/stunnel.service
      - file: /app/etc/server.cert.pem
