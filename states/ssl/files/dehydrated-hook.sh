#!/bin/sh
# dehydrated hook (states/ssl). After a new certificate (the first one, requested by the highstate,
# or a renewal by letsencrypt-renew.timer): point /app/etc/server.{key,cert}.pem at it (unless the
# env's own certificate is in use) and reload the services that use it, so they serve it at once.
# With the metric exporter, the end of its validity goes to the node exporter's textfile collector.
set -u
live_metric() {
    dir=/var/lib/prometheus/node-exporter
    test -d "$dir" || return 0
    end="$(date -d "$(openssl x509 -noout -enddate -in "$1" | sed 's/^notAfter=//')" +%s)"
    {
        echo "# HELP appliance_letsencrypt_valid_until_seconds End of the certificate's validity (epoch)"
        echo "# TYPE appliance_letsencrypt_valid_until_seconds gauge"
        echo "appliance_letsencrypt_valid_until_seconds{domain=\"$2\"} $end"
    } > "$dir/letsencrypt.prom.tmp" && mv "$dir/letsencrypt.prom.tmp" "$dir/letsencrypt.prom"
}
# points the links at the domain's certificate; true when they changed
use_cert() {
    live="/app/etc/dehydrated/certs/$1"
    case "$(readlink /app/etc/server.cert.pem 2>/dev/null)" in
      /app/etc/env-cert/*|"$live/fullchain.pem") return 1 ;;
    esac
    ln -sfn "$live/privkey.pem" /app/etc/server.key.pem
    ln -sfn "$live/fullchain.pem" /app/etc/server.cert.pem
}
reload_all() {
    systemctl try-reload-or-restart nginx.service || true
    systemctl try-reload-or-restart postfix.service || true
    systemctl try-restart stunnel.service || true
}
case "$1" in
  deploy_cert)
    use_cert "$2" || true
    live_metric "/app/etc/dehydrated/certs/$2/cert.pem" "$2"
    reload_all
    ;;
  unchanged_cert)
    if use_cert "$2"; then reload_all; fi
    live_metric "/app/etc/dehydrated/certs/$2/cert.pem" "$2"
    ;;
esac
exit 0
