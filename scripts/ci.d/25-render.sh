#!/usr/bin/env bash
# The render differential test (test/integration/render/) renders the same templates with the
# real Jinja2 and PyYAML (Debian's python3-jinja2, python3-yaml) and compares. Idempotent.
set -euo pipefail
if ! python3 -c 'import jinja2, yaml' 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-jinja2 python3-yaml >/dev/null
fi
