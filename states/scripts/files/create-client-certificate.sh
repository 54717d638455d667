#!/bin/bash
# create-client-certificate.sh EMAIL CERT_NAME [DAYS] (manual 3.3): a client certificate for an
# existing internal user from the ECS's CA, mailed to the user as CERT_NAME.p12 (the ECS's
# unfiltered mail path); the passphrase is printed here, to be given to the user another way.
# Runs the ECS's own code through `manage.py shell` in the web container.
set -euo pipefail
usage() { echo "usage: $0 user-email@address.domain cert_name [daysvalid, default 7]   (the appliance must be running)" >&2; exit 3; }
test "$#" -ge 2 -a "$#" -le 3 || usage
days="${3:-7}"
[[ "$days" =~ ^[0-9]+$ ]] || usage
. /usr/local/share/appliance/appliance.include
lit() { printf "__import__('base64').b64decode('%s').decode()" "$(printf '%s' "$1" | base64 -w0)"; }
compose exec -T ecs.web /start run ./manage.py shell <<EOF
email = $(lit "$1"); certname = $(lit "$2"); daysvalid = $days

import os, tempfile
from django.conf import settings
from django.contrib.auth.models import User
from ecs.pki.models import Certificate
from ecs.communication.mailutils import deliver

if not User.objects.filter(email=email).exists():
    print("Error: could not find user {}".format(email))
    exit(1)

u = User.objects.get(email=email)
fd, p12 = tempfile.mkstemp(suffix='.p12')
os.close(fd)
cert, passphrase = Certificate.create_for_user(p12, u, cn=certname, days=daysvalid)
with open(p12, 'rb') as f:
    pkcs12 = f.read()
os.remove(p12)

deliver(u.email,
    subject='Certificate {}'.format(certname),
    message='See attachment',
    from_email=settings.DEFAULT_FROM_EMAIL,
    attachments=(('{}.p12'.format(certname), pkcs12, 'application/x-pkcs12'),),
    nofilter=True)

print("Created and sent certificate {} for {} using passphrase {}".format(certname, email, passphrase))
exit()
EOF
