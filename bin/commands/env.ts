// brine env create|export|activate: argument parsing only; the work is in engine/env, loaded
// when a subcommand runs.
import type { Command } from 'commander';
import { EnvError } from '../../engine/errors.js';

const warn = (lines: string[]): void => {
  for (const l of lines) process.stderr.write(`${l}\n`);
};

export function register(program: Command): void {
  const env = program
    .command('env')
    .description('the appliance env (env.yml): create a new one, export it for shell scripts, activate it')
    .exitOverride();

  env
    .command('create')
    .description('write a new env.yml with fresh secrets, DKIM and PGP keys, and the DNS records as comments')
    .argument('<domain>', 'the appliance domain, e.g. ecs.example.org')
    .option('-o, --out <file>', 'write to FILE (mode 0600) instead of stdout')
    .option('--extra <file>', 'YAML settings merged over the new env (ssh keys, metric, sentry, extra files...)')
    .option('--zone <zone>', 'DNS zone the records are for (default: the last two labels of the domain)')
    .option('--ip <ipv4>', 'public IPv4 address for the A and PTR records')
    .option('--force', 'overwrite an existing --out file')
    .exitOverride()
    .action(
      async (domain: string, o: { out?: string; extra?: string; zone?: string; ip?: string; force?: boolean }) => {
        const [{ createEnv }, { readExtra }, { writePrivateFile }] = await Promise.all([
          import('../../engine/env/create/index.js'),
          import('../../engine/env/extra.js'),
          import('../../engine/env/write-private.js'),
        ]);
        const text = await createEnv({
          domain,
          zone: o.zone,
          ip: o.ip,
          extra: o.extra ? readExtra(o.extra) : undefined,
          extraLabel: o.extra,
        });
        if (o.out) {
          writePrivateFile(o.out, text, { overwrite: o.force });
          process.stderr.write(`brine: wrote ${o.out} (mode 0600); the DNS records are at its top\n`);
        } else {
          process.stdout.write(text);
        }
      },
    );

  env
    .command('export')
    .description('print the env as sorted shell assignments: eval "$(brine env export appliance --prefix \'export \')"')
    .argument('<keys>', "comma-separated top-level keys (appliance,ecs) or '.' for all")
    .option('--prefix <prefix>', "text before each line, e.g. 'export '", '')
    .option('--env <file>', 'read this env.yml instead of the active env')
    .exitOverride()
    .action(async (keys: string, o: { prefix: string; env?: string }) => {
      const [{ loadActiveEnv }, { exportEnv }, { formatWarnings }, { LocalHost }] = await Promise.all([
        import('../../engine/env/active.js'),
        import('../../engine/env/export.js'),
        import('../../engine/env/warnings.js'),
        import('../../engine/host/local.js'),
      ]);
      const host = new LocalHost();
      try {
        const found = await loadActiveEnv({ host, envFile: o.env, useActivated: true });
        if (!found) throw new EnvError('env', 'no env found: pass --env FILE or run `brine env activate` first');
        warn(formatWarnings(found.source ?? 'env', found.warnings));
        const lines = exportEnv(found.parsed.tree, keys, o.prefix);
        process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
      } finally {
        await host.close();
      }
    });

  env
    .command('activate')
    .description(
      'find the env (ENV_YML, /app/env.yml, cidata, config-2, ec2, gce), validate it, write /run/active-env.yml (0600)',
    )
    .option('--out <path>', 'write here instead of /run/active-env.yml')
    .exitOverride()
    .action(async (o: { out?: string }) => {
      const [{ activateEnv }, { formatWarnings }, { LocalHost }] = await Promise.all([
        import('../../engine/env/activate.js'),
        import('../../engine/env/warnings.js'),
        import('../../engine/host/local.js'),
      ]);
      const host = new LocalHost();
      try {
        const a = await activateEnv({ host, out: o.out });
        warn(formatWarnings(a.source, a.warnings));
        process.stdout.write(`env: activated from ${a.source} -> ${a.out} (mode 0600)\n`);
        if (a.standby)
          process.stdout.write('env: standby (appliance:standby is true): the appliance highstate does nothing\n');
      } finally {
        await host.close();
      }
    });
}
