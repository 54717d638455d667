timezone: Europe/Vienna
timezone_short: Vienna
