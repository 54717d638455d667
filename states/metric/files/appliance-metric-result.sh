#!/bin/sh
# appliance-metric-result.sh NAME (states/metric): ExecStopPost of appliance-backup and appliance-update.
# Writes the run's result for the node exporter's textfile collector (when it is installed):
#   appliance_NAME_success 1|0, appliance_NAME_last_run_timestamp_seconds,
#   appliance_NAME_last_success_timestamp_seconds (kept from the last good run when this one failed).
# The alert rules (/etc/prometheus/appliance.rules.yml) fire on a failed or a missed run.
set -eu
name="$1"
dir=/var/lib/prometheus/node-exporter
test -d "$dir" || exit 0
file="$dir/appliance_$name.prom"
now="$(date +%s)"
last_ok="$(sed -n "s/^appliance_${name}_last_success_timestamp_seconds \([0-9]*\)$/\1/p" "$file" 2>/dev/null || true)"
if test "${SERVICE_RESULT:-}" = success; then ok=1 last_ok="$now"; else ok=0; fi
{
    echo "# HELP appliance_${name}_success Whether the last appliance-$name run succeeded (1) or failed (0)."
    echo "# TYPE appliance_${name}_success gauge"
    echo "appliance_${name}_success $ok"
    echo "# HELP appliance_${name}_last_run_timestamp_seconds When the last appliance-$name run ended (epoch)."
    echo "# TYPE appliance_${name}_last_run_timestamp_seconds gauge"
    echo "appliance_${name}_last_run_timestamp_seconds $now"
    if test -n "$last_ok"; then
        echo "# HELP appliance_${name}_last_success_timestamp_seconds When appliance-$name last succeeded (epoch)."
        echo "# TYPE appliance_${name}_last_success_timestamp_seconds gauge"
        echo "appliance_${name}_last_success_timestamp_seconds $last_ok"
    fi
} > "$file.tmp"
chmod 0644 "$file.tmp"
mv "$file.tmp" "$file"
