# One daemon-reload after any unit file changed: unit files watch_in this state.
systemd_reload:
  cmd.wait:
    - name: systemctl daemon-reload
