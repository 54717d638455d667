// The DMI decision (which metadata service is worth a request) and the probe's output format.
// DMI strings are the ones real instances report (cloud-init's ds-identify test data and
// provider docs).
import { describe, expect, it } from 'vitest';
import {
  cloudsFromDmi,
  parseProbe,
  PROBE_SCRIPT,
  shouldQueryMetadata,
  type Dmi,
} from '../../../engine/env/sources/platform.js';

const NITRO: Dmi = {
  sys_vendor: 'Amazon EC2',
  product_name: 'm5.large',
  bios_vendor: 'Amazon EC2',
  chassis_asset_tag: 'Amazon EC2',
};
const EC2_XEN_HVM: Dmi = {
  sys_vendor: 'Xen',
  product_name: 'HVM domU',
  product_version: '4.11.amazon',
  bios_vendor: 'Xen',
  bios_version: '4.11.amazon',
};
const EC2_XEN_PV: Dmi = { hypervisor_uuid: 'ec2e1916-9099-7caf-fd21-012345abcdef' };
const GCE: Dmi = { sys_vendor: 'Google', product_name: 'Google Compute Engine', bios_vendor: 'Google' };
const OPENSTACK: Dmi = { sys_vendor: 'OpenStack Foundation', product_name: 'OpenStack Nova', bios_vendor: 'SeaBIOS' };
const OTC: Dmi = {
  sys_vendor: 'QEMU',
  product_name: 'Standard PC (i440FX + PIIX, 1996)',
  chassis_asset_tag: 'OpenTelekomCloud',
};
const KVM: Dmi = {
  sys_vendor: 'QEMU',
  product_name: 'Standard PC (Q35 + ICH9, 2009)',
  bios_vendor: 'SeaBIOS',
  chassis_asset_tag: '',
};
const LAPTOP: Dmi = {
  sys_vendor: 'LENOVO',
  product_name: '20XW0026GE',
  bios_vendor: 'LENOVO',
  chassis_asset_tag: 'No Asset Information',
};
const PLAIN_XEN: Dmi = {
  sys_vendor: 'Xen',
  product_name: 'HVM domU',
  product_version: '4.16.2',
  bios_vendor: 'Xen',
  bios_version: '4.16.2',
  product_uuid: '3d1c2a5e-0000-4000-8000-000000000001',
};

describe('cloudsFromDmi', () => {
  it.each([
    ['EC2 Nitro', NITRO, ['ec2']],
    ['EC2 Xen HVM (amazon in the BIOS version)', EC2_XEN_HVM, ['ec2']],
    ['EC2 Xen PV (no DMI, hypervisor uuid ec2...)', EC2_XEN_PV, ['ec2']],
    ['EC2 by DMI product uuid', { sys_vendor: 'Xen', product_uuid: 'EC2A1B2C-0000-0000-0000-000000000000' }, ['ec2']],
    ['GCE', GCE, ['gce']],
    ['GCE by product name alone', { product_name: 'Google Compute Engine' }, ['gce']],
    ['OpenStack Nova', OPENSTACK, ['openstack']],
    ['OpenStack Compute (product name)', { product_name: 'OpenStack Compute' }, ['openstack']],
    ['an OpenStack cloud by asset tag', OTC, ['openstack']],
    ['plain KVM', KVM, []],
    ['a laptop', LAPTOP, []],
    ['plain Xen (not amazon)', PLAIN_XEN, []],
    ['no DMI at all (containers, firecracker, some ARM boards)', {}, []],
  ])('%s', (_name, dmi, clouds) => {
    expect(cloudsFromDmi(dmi as Dmi)).toEqual(clouds);
  });

  it('matches whole vendor strings, not substrings of other vendors', () => {
    expect(cloudsFromDmi({ sys_vendor: 'Googleplex Hardware Ltd' })).toEqual([]);
    expect(cloudsFromDmi({ sys_vendor: 'Not Amazon EC2 really' })).toEqual([]);
  });
});

describe('shouldQueryMetadata', () => {
  it('asks EC2 only where DMI shows EC2 or OpenStack (which serves the EC2 paths)', () => {
    expect(shouldQueryMetadata('ec2', NITRO, undefined)).toBe(true);
    expect(shouldQueryMetadata('ec2', EC2_XEN_HVM, undefined)).toBe(true);
    expect(shouldQueryMetadata('ec2', OPENSTACK, undefined)).toBe(true);
    expect(shouldQueryMetadata('ec2', GCE, undefined)).toBe(false);
    expect(shouldQueryMetadata('ec2', KVM, undefined)).toBe(false);
    expect(shouldQueryMetadata('ec2', {}, undefined)).toBe(false);
  });

  it('asks GCE only on GCE', () => {
    expect(shouldQueryMetadata('gce', GCE, undefined)).toBe(true);
    expect(shouldQueryMetadata('gce', NITRO, undefined)).toBe(false);
    expect(shouldQueryMetadata('gce', OPENSTACK, undefined)).toBe(false);
    expect(shouldQueryMetadata('gce', LAPTOP, undefined)).toBe(false);
  });

  it('an endpoint set explicitly is always asked, whatever DMI says', () => {
    expect(shouldQueryMetadata('ec2', LAPTOP, 'http://127.0.0.1:8080')).toBe(true);
    expect(shouldQueryMetadata('gce', {}, 'http://127.0.0.1:8080')).toBe(true);
    expect(shouldQueryMetadata('gce', {}, '')).toBe(false); // empty is unset
  });
});

describe('parseProbe', () => {
  it('reads DMI fields, drives and their mount points', () => {
    const p = parseProbe(
      [
        'dmi.sys_vendor=Amazon EC2',
        'dmi.product_name=t3.micro',
        'dmi.chassis_asset_tag=Amazon EC2',
        'drive.cidata=/dev/sr0',
        'drive.CONFIG-2=/dev/vdb',
        'mount.CONFIG-2=/mnt/config',
        '',
      ].join('\n'),
    );
    expect(p).toEqual({
      dmi: { sys_vendor: 'Amazon EC2', product_name: 't3.micro', chassis_asset_tag: 'Amazon EC2' },
      drives: {
        cidata: { device: '/dev/sr0', mountpoint: null },
        'CONFIG-2': { device: '/dev/vdb', mountpoint: '/mnt/config' },
      },
    });
    expect(cloudsFromDmi(p.dmi)).toEqual(['ec2']);
  });

  it('keeps values with = and spaces whole; ignores empty values, unknown keys and noise', () => {
    const p = parseProbe(
      'dmi.product_name=Standard PC (Q35 + ICH9, 2009)\ndmi.bios_version=a=b\ndmi.sys_vendor=\ndmi.evil=x\nblkid: ' +
        'warning\nmount.cidata=/x\n',
    );
    expect(p).toEqual({ dmi: { product_name: 'Standard PC (Q35 + ICH9, 2009)', bios_version: 'a=b' }, drives: {} });
  });

  it('nothing found: empty output', () => {
    expect(parseProbe('')).toEqual({ dmi: {}, drives: {} });
  });

  it('the script reads every DMI field the decision uses', () => {
    for (const f of [
      'sys_vendor',
      'product_name',
      'product_version',
      'bios_vendor',
      'bios_version',
      'chassis_asset_tag',
      'product_uuid',
    ]) {
      expect(PROBE_SCRIPT).toContain(f);
    }
    expect(PROBE_SCRIPT).toContain('/sys/hypervisor/uuid');
  });
});
