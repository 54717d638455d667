#!/bin/sh
# check-oncalendar.sh KEY TIMERFILE (states/update): the check_cmd of a timer file. Every
# OnCalendar= line must be one systemd calendar expression (systemd-analyze calendar); a bad
# value is refused with a message naming the env key it came from, and the file is not changed.
key="$1" file="$2"
n=0
while IFS= read -r line; do
    case "$line" in OnCalendar=*) ;; *) continue ;; esac
    n=$((n + 1))
    value="${line#OnCalendar=}"
    if ! why="$(systemd-analyze calendar -- "$value" 2>&1 >/dev/null)"; then
        echo "$key: '$value' is not a systemd calendar expression (${why:-systemd-analyze calendar refused it})" >&2
        exit 1
    fi
done < "$file"
if test "$n" -ne 1; then echo "$key: must be one calendar expression on one line" >&2; exit 1; fi
