// Booted Debian 12 targets by hand: `npx tsx test/harness/cli.ts up [N]` starts N targets, prints
// how to reach them and keeps running until Ctrl-C or `down`; `up-docker` starts one docker-capable
// target (test/harness/docker-target.ts); `down` stops every `up` still running.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDockerTarget, stopAllDockerTargets } from './docker-target.js';
import { RUN_DIR, startTargets, stopAll } from './nspawn.js';

const UPS = join(RUN_DIR, '..', 'cli-up');

async function up(n: number): Promise<void> {
  const targets = await startTargets(n);
  mkdirSync(UPS, { recursive: true });
  const mark = join(UPS, String(process.pid));
  writeFileSync(mark, JSON.stringify(targets.map((t) => ({ name: t.name, port: t.port }))));
  for (const t of targets) {
    process.stdout.write(
      `${t.name}  ssh -i ${t.keyPath} -p ${t.port} -o UserKnownHostsFile=${t.knownHostsPath} root@127.0.0.1` +
        `  (brine push -i ${t.keyPath} root@127.0.0.1:${t.port}; rootfs ${t.rootfs})\n`,
    );
  }
  process.stdout.write(`${n} target(s) up; Ctrl-C or \`npx tsx test/harness/cli.ts down\` stops them\n`);
  const done = async () => {
    await stopAll();
    rmSync(mark, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', done);
  process.on('SIGTERM', done);
  setInterval(() => {}, 1 << 30);
}

async function upDocker(): Promise<void> {
  const t = await startDockerTarget();
  mkdirSync(UPS, { recursive: true });
  const mark = join(UPS, String(process.pid));
  writeFileSync(mark, JSON.stringify([{ name: t.name, ip: t.ip }]));
  process.stdout.write(
    `${t.name}  ssh -i ${t.keyPath} -o UserKnownHostsFile=${t.knownHostsPath} root@${t.ip}` +
      `  (brine push -i ${t.keyPath} --known-hosts ${t.knownHostsPath} root@${t.ip}; rootfs ${t.rootfs})\n` +
      'docker target up; Ctrl-C or `npx tsx test/harness/cli.ts down` stops it\n',
  );
  const done = async () => {
    await stopAllDockerTargets();
    rmSync(mark, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', done);
  process.on('SIGTERM', done);
  setInterval(() => {}, 1 << 30);
}

function down(): void {
  if (!existsSync(UPS)) return;
  for (const pid of readdirSync(UPS)) {
    const names = readFileSync(join(UPS, pid), 'utf8');
    try {
      process.kill(Number(pid), 'SIGTERM');
      process.stdout.write(`stopping ${names} (pid ${pid})\n`);
    } catch {
      rmSync(join(UPS, pid), { force: true });
    }
  }
}

const [cmd, arg] = process.argv.slice(2);
if (cmd === 'up') {
  up(Number(arg ?? 1)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
} else if (cmd === 'up-docker') {
  upDocker().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
} else if (cmd === 'down') {
  down();
} else {
  process.stderr.write('usage: tsx test/harness/cli.ts up [N] | up-docker | down\n');
  process.exit(3);
}
