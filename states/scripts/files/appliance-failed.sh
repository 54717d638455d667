#!/bin/bash
# appliance-failed@UNIT: a unit of the boot chain failed. Leave /run/appliance-failed (the units
# do not start again until an operator removes it), note the failure, show it on the web page.
set -u
unit="${1:-unknown}"
. /usr/local/share/appliance/appliance.include
touch /run/appliance-failed
(cat /app/etc/tags/last_running_ecs 2>/dev/null || echo invalid) > /app/etc/tags/last_failed_ecs
appliance_status "Appliance Error" "The appliance failed to start ($unit); system in standby. Recover: rm /run/appliance-failed; systemctl reset-failed; systemctl start appliance"
echo "appliance failed: $unit" >&2
systemctl status -l -q --no-pager -n 20 "$unit" || true
