// A scratch states dir and a Renderer over it, shared by the render tests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Renderer } from '../../../engine/render/index.js';

export const PILLAR = {
  appliance: { domain: 'ecs.example.org', enabled: true, ports: [80, 443], empty: [], none: null, flags: { a: true } },
  items: 'a pillar key named items',
  keys: ['k1', 'k2'],
  get: 'g',
  values: { v: 1 },
  pkgs: ['nginx', 'curl'],
  users: [
    { name: 'alice', uid: 1001, admin: true },
    { name: 'bob', uid: 1002, admin: false },
  ],
};
export const GRAINS = {
  id: 'web1',
  os: 'Debian',
  os_family: 'Debian',
  osrelease: '12',
  ipv4: ['127.0.0.1', '10.0.0.5'],
  mem_total: 2048,
};

export function statesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'brine-render-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

export function renderer(files: Record<string, string> = {}, pillar: Record<string, unknown> = PILLAR): Renderer {
  return new Renderer({
    statesDir: statesDir(files),
    pillar: structuredClone(pillar),
    grains: structuredClone(GRAINS),
    minionId: 'web1',
  });
}
