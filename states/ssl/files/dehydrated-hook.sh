#!/bin/sh
# dehydrated hook (states/ssl): reload the services that use the host certificate after a new one.
case "$1" in
  deploy_cert)
    systemctl reload-or-restart nginx || true
    systemctl reload-or-restart postfix || true
    systemctl restart stunnel || true
    ;;
esac
exit 0
