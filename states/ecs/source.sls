# The ECS source: the env's ecs:git:source, branch ecs:git:branch, checked out to /app/ecs (the
# manual's path) and hard-reset to the branch's head on every highstate (boot, update).
# prepare-ecs builds ecs/ecs:latest from this checkout's Dockerfile when its commit changed.
include:
  - common

ecs_source:
  git.latest:
    - name: {{ salt['pillar.get']('ecs:git:source', 'https://github.com/ecs-org/ecs.git') }}
    - target: /app/ecs
    - branch: {{ salt['pillar.get']('ecs:git:branch', 'master') }}
    - rev: {{ salt['pillar.get']('ecs:git:branch', 'master') }}
    - force_reset: true
    - force_clone: true
    - require:
      - pkg: base_packages
