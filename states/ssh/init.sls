# sshd without DNS lookups and passwords; root's keys from the env (ssh_authorized_keys), and
# keys listed in ssh_deprecated_keys removed. sshd keeps the FIRST value it reads for a keyword and
# reads sshd_config.d/*.conf in name order: the drop-in is named 00-appliance.conf so it wins over a
# cloud image's 50-cloud-init.conf (which may set PasswordAuthentication yes).
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
      - file: /etc/ssh/sshd_config.d/00-appliance.conf
      - file: /etc/ssh/sshd_config.d/appliance.conf

/etc/ssh/sshd_config.d/00-appliance.conf:
  file.managed:
    - makedirs: true
    - contents: |
        UseDNS no
        PasswordAuthentication no
        PermitRootLogin prohibit-password
    - require:
      - pkg: openssh

# the drop-in's name before 00- (it sorted after 50-cloud-init.conf and lost to it)
/etc/ssh/sshd_config.d/appliance.conf:
  file.absent:
    - require:
      - file: /etc/ssh/sshd_config.d/00-appliance.conf

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
