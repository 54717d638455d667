# Extras from the env: appliance:extra:packages (installed), :files (written), :states (a string
# of SLS pasted into this file).
include:
  - appliance.directories

{%- set packages = salt['pillar.get']('appliance:extra:packages', []) or [] %}
{%- if packages %}
appliance_extra_packages:
  pkg.installed:
    - pkgs:
  {%- for p in packages %}
      - {{ p }}
  {%- endfor %}
{%- endif %}

{%- for f in salt['pillar.get']('appliance:extra:files', []) or [] %}
appliance_extra_file_{{ loop.index }}:
  file.managed:
    - name: {{ f.path }}
    - makedirs: true
  {%- if f.owner %}
    - user: {{ f.owner.split(':')[0] }}
    {%- if ':' in f.owner %}
    - group: {{ f.owner.split(':')[1] }}
    {%- endif %}
  {%- endif %}
  {%- if f.permissions %}
    - mode: "{{ f.permissions }}"
  {%- endif %}
    - contents: |
{{ (f.contents or '')|indent(8, true) }}
    - require:
      - file: /app/etc
{%- endfor %}

{%- set extra_states = salt['pillar.get']('appliance:extra:states', '') %}
{%- if extra_states %}
{{ extra_states }}
{%- endif %}
