# sshd without DNS lookups and passwords; root's keys from the env (ssh_authorized_keys), and
# keys listed in ssh_deprecated_keys removed.
openssh:
  pkg.installed:
    - pkgs:
      - openssh-client
      - openssh-server
  service.running:
    - name: ssh
    - enable: true
    - require:
      - pkg: openssh
    - watch:
      - file: /etc/ssh/sshd_config.d/appliance.conf

/etc/ssh/sshd_config.d/appliance.conf:
  file.managed:
    - makedirs: true
    - contents: |
        UseDNS no
        PasswordAuthentication no
        PermitRootLogin prohibit-password
    - require:
      - pkg: openssh

{%- for key in salt['pillar.get']('ssh_authorized_keys', []) or [] %}
ssh_key_present_{{ loop.index }}:
  ssh_auth.present:
    - user: root
    - name: "{{ key }}"
{%- endfor %}

{%- for key in salt['pillar.get']('ssh_deprecated_keys', []) or [] %}
ssh_key_absent_{{ loop.index }}:
  ssh_auth.absent:
    - user: root
    - name: "{{ key }}"
{%- endfor %}
