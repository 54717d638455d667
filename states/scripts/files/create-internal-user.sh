#!/bin/bash
# create-internal-user.sh EMAIL "FIRST" "LAST" f|m (manual 3.3): creates (or updates) an internal
# office user of the running ECS: profile internal, group EC-Office, a new random password,
# printed once. Runs the ECS's own code through `manage.py shell` in the web container.
set -euo pipefail
usage() { echo "usage: $0 email@domain 'first name' 'last name' f|m   (the appliance must be running)" >&2; exit 3; }
test "$#" -eq 4 || usage
gender="$(printf '%s' "$4" | tr '[:upper:]' '[:lower:]')"
test "$gender" = f -o "$gender" = m || usage
. /usr/local/share/appliance/appliance.include
# values reach Python base64-encoded (no quoting of names into code)
lit() { printf "__import__('base64').b64decode('%s').decode()" "$(printf '%s' "$1" | base64 -w0)"; }
compose exec -T ecs.web /start run ./manage.py shell <<EOF
email = $(lit "$1"); first_name = $(lit "$2"); last_name = $(lit "$3"); gender = $(lit "$gender")

import math, string
from random import SystemRandom
from django.contrib.auth.models import Group, User
from ecs.users.utils import create_user

PASSPHRASE_ENTROPY = 80
PASSPHRASE_CHARS = string.ascii_lowercase + string.digits
PASSPHRASE_LEN = math.ceil(PASSPHRASE_ENTROPY / math.log2(len(PASSPHRASE_CHARS)))

u = User.objects.get(email=email) if User.objects.filter(email=email).exists() else create_user(email)
profile = u.profile
profile.gender = gender
profile.is_internal = True
profile.save()
passphrase = ''.join(SystemRandom().choice(PASSPHRASE_CHARS) for i in range(PASSPHRASE_LEN))
u.first_name = first_name
u.last_name = last_name
u.set_password(passphrase)
u.save()
u.groups.add(Group.objects.get(name='EC-Office'))
print("created/updated user {} with passphrase {}".format(email, passphrase))
exit()
EOF
