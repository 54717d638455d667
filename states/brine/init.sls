# brine on the appliance itself: the standalone bundle (runs on Debian's nodejs), the state and
# pillar trees, and /usr/local/bin/brine; the boot and update units run `brine highstate` with
# them. `npm run build` (scripts/stage-brine.mjs) packs them into states/brine/files/brine.tar.gz
# (generated, git-ignored); the tarball is one file here, so a dry run shows one line for it.
include:
  - common

/usr/local/lib/brine/brine.tar.gz:
  file.managed:
    - source: salt://brine/files/brine.tar.gz
    - makedirs: true
    - mode: "0644"

# unpack a new tarball; the installed tree links the tarball back in, so a highstate run from the
# installed tree finds salt://brine/files/brine.tar.gz (itself: no change)
/usr/local/sbin/brine-unpack:
  file.managed:
    - source: salt://brine/brine-unpack.sh
    - mode: "0755"

brine_unpack:
  cmd.run:
    - name: /usr/local/sbin/brine-unpack
    - onchanges:
      - file: /usr/local/lib/brine/brine.tar.gz
    - require:
      - file: /usr/local/sbin/brine-unpack

brine_unpack_missing:
  cmd.run:
    - name: /usr/local/sbin/brine-unpack
    - unless: test -f /usr/local/lib/brine/brine.mjs -a -d /usr/local/lib/brine/states
    - require:
      - cmd: brine_unpack

/usr/local/bin/brine:
  file.managed:
    - mode: "0755"
    - contents: |
        #!/bin/sh
        # installed by the brine state tree (states/brine): brine with the installed trees
        export BRINE_STATES="${BRINE_STATES:-/usr/local/lib/brine/states}"
        export BRINE_PILLAR="${BRINE_PILLAR:-/usr/local/lib/brine/pillar}"
        exec /usr/bin/node /usr/local/lib/brine/brine.mjs "$@"
    - require:
      - pkg: base_packages
      - cmd: brine_unpack_missing
