// `brine push TARGET...`: apply the state tree to hosts over SSH (argument parsing only; the work
// is engine/push, loaded with ssh2 only when the command runs).
import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { UsageError } from '../../engine/errors.js';
import { OUT_FORMATS, type OutFormat, wantColor } from '../../engine/report/formats.js';
import { errorRedactor } from '../main.js';
import { resolveDirs } from './highstate.js';
import type { PushOptions } from '../../engine/push/index.js';
import { positiveInt, seconds } from './number-options.js';
import { OVERRIDE_HELP, WORD_HELP } from './pillar-override.js';
import { keyValueWordsOut, saltWordsOf, TEST_WORD_HELP } from './salt-words.js';

interface PushFlags {
  test?: boolean;
  inventory?: string;
  parallel: number;
  concurrency?: number;
  /** commander's --no-aggregate: false */
  aggregate?: boolean;
  env?: string;
  identity?: string[];
  acceptNew?: boolean;
  knownHosts?: string;
  sshConfig?: string;
  connectTimeout: number;
  commandTimeout?: number;
  out: OutFormat;
  states?: string;
  pillar?: string;
  sls?: string[];
  lockTimeout: number;
  /** Saved plans (engine/plan/push.ts). */
  planOut?: string;
  plan?: string;
  partial?: boolean;
  batch?: string;
  maxFail?: string;
  batchWait?: number;
  quiet?: boolean;
  /** --pillar-override YAML (pillar= words come among the targets). */
  pillarOverride?: string;
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

export function register(program: Command): void {
  program
    .command('push')
    .description('apply the states to hosts over SSH ([user@]host[:port], or inventory hosts and groups)')
    .argument(
      '[target...]',
      `hosts: [user@]host[:port], or inventory hosts/groups (with --plan: default the plan's); and ${WORD_HELP}; ` +
        TEST_WORD_HELP,
    )
    .option('--test', 'dry run on every host (exit 2 when changes are pending)')
    .option('--inventory <file>', 'inventory YAML: hosts (address, port, user, identity, vars) and groups')
    .option('--parallel <n>', 'hosts at once', positiveInt('--parallel'), 8)
    .option(
      '--concurrency <n>',
      "per host: 1 (default): Salt's order; N > 1: states no requisite orders apply in parallel",
      positiveInt('--concurrency'),
    )
    .option(
      '--no-aggregate',
      'one apt call per pkg state (default: pkg.installed states nothing orders share one apt call)',
    )
    .option('--env <file>', "local env.yml for every host (default: each target's own env sources)")
    .option('-i, --identity <key>', 'private key to log in with (repeatable)', collect)
    .option('--accept-new', 'add unknown host keys to known_hosts (a changed key is still refused)')
    .option('--known-hosts <file>', 'known_hosts file (default ~/.ssh/known_hosts)')
    .option('--ssh-config <file>', 'ssh config file (default ~/.ssh/config)')
    .option('--connect-timeout <s>', 'seconds to connect and log in', positiveInt('--connect-timeout'), 15)
    .option('--command-timeout <s>', 'seconds any one command may run (default 1800)', positiveInt('--command-timeout'))
    .option('--sls <name...>', 'apply these SLS instead of the top file')
    .option(
      '-b, --batch <n>',
      "rolling: hosts per batch (N or N% of the targets), batches one after another (Salt's -b)",
    )
    .option('--max-fail <n>', 'rolling: failed hosts tolerated (N or N% of the targets) before no further batch starts')
    .option(
      '--batch-wait <s>',
      'rolling: seconds to wait after a batch before the next starts',
      seconds('--batch-wait'),
    )
    .option('-q, --quiet', 'no progress (no live view, no line per state on stderr)')
    .option(
      '--lock-timeout <s>',
      'seconds to wait while another run holds a host (0: refuse at once)',
      seconds('--lock-timeout'),
      300,
    )
    .addOption(new Option('--out <format>', 'output format').choices([...OUT_FORMATS]).default('highstate'))
    .option('--states <dir>', 'state tree (default: $BRINE_STATES or states/ next to brine)')
    .option('--pillar <dir>', 'pillar tree (default: $BRINE_PILLAR or pillar/ next to brine)')
    .option('--pillar-override <yaml>', OVERRIDE_HELP)
    .option('--plan-out <file>', "with --test: save every host's dry run as a plan for `brine push --plan FILE`")
    .option('--plan <file>', 'apply a saved plan: every host dry-runs again first; nothing changes unless all match')
    .option('--partial', 'with --plan: apply the hosts whose dry run matches the plan even if others do not')
    .action(async (given: string[], flags: PushFlags) => {
      let words = given;
      if (flags.sls) {
        const split = keyValueWordsOut(flags.sls);
        if (!split.values.length) throw new UsageError('--sls needs an SLS name');
        flags.sls = split.values;
        words = [...given, ...split.words];
      }
      const salt = saltWordsOf(words, flags, { hasTest: true });
      const { words: specs, override } = salt;
      flags.test = salt.test;
      if (flags.planOut && !flags.test) {
        throw new UsageError('--plan-out needs --test: a plan is a dry run (apply it with `brine push --plan FILE`)');
      }
      if (flags.plan && (flags.test || flags.planOut)) {
        throw new UsageError('--plan applies a saved plan: not with --test or --plan-out');
      }
      if (flags.partial && !flags.plan) throw new UsageError('--partial is for --plan');
      if (!flags.plan && !specs.length) throw new UsageError("missing required argument 'target'");
      if (flags.env && !existsSync(flags.env)) throw new UsageError(`--env: '${flags.env}' not found`);
      for (const k of flags.identity ?? []) if (!existsSync(k)) throw new UsageError(`-i: '${k}' not found`);
      const { statesDir, pillarDir } = resolveDirs(flags);
      const { loadInventory, parseAmount, push, resolveTargets } = await import('../../engine/push/index.js');
      const batch = flags.batch !== undefined ? parseAmount('--batch', flags.batch) : undefined;
      const maxFail =
        flags.maxFail !== undefined ? parseAmount('--max-fail', flags.maxFail, { zero: true }) : undefined;
      if (maxFail && !batch) throw new UsageError('--max-fail needs --batch (the budget stops further batches)');
      if (flags.batchWait !== undefined && !batch) throw new UsageError('--batch-wait needs --batch');
      const inventory = flags.inventory ? loadInventory(flags.inventory) : undefined;
      if (batch && (flags.plan || flags.planOut))
        throw new UsageError('--batch is not for saved plans (--plan, --plan-out)');
      const saved = flags.plan ? (await import('../../engine/plan/file.js')).readPlan(flags.plan) : undefined;
      if (saved && saved.command !== 'push') {
        const how = `apply it with \`brine apply ${flags.plan}\``;
        throw new UsageError(`${flags.plan}: a plan of \`brine ${saved.command}\`: ${how}`);
      }
      const labels = saved ? saved.hosts.map((h) => h.target ?? h.host) : [];
      for (const sp of saved ? specs : []) {
        if (!labels.includes(sp))
          throw new UsageError(`${flags.plan}: no plan for target '${sp}' (the plan has: ${labels.join(', ')})`);
      }
      const named = resolveTargets(saved ? (specs.length ? specs : labels) : specs, inventory);
      const { withoutSameHost } = await import('../../engine/push/same-host.js');
      const said = (m: string) => process.stderr.write(`brine: ${m}\n`);
      const targets = saved ? named : withoutSameHost(named, flags.sshConfig, said);
      const { openProgress } = await import('../../engine/progress/index.js');
      const progress = await openProgress({
        labels: targets.map((t) => t.label),
        redact: (s) => errorRedactor.redact(s),
        quiet: !!flags.quiet || !!saved || !!flags.planOut,
      });
      // a live view draws on the terminal: the reports wait until it ends
      const held: [NodeJS.WriteStream, string][] = [];
      const out = (stream: NodeJS.WriteStream) => (s: string) =>
        progress.live ? held.push([stream, s]) : stream.write(s);
      const write = out(process.stdout);
      // notices (lock waits, batches, signals) show in the live view as they come, and stay after it
      const stderr = (s: string) => {
        progress.note?.(s);
        out(process.stderr)(s);
      };
      const { RunControl, stopExitCode } = await import('../../engine/run/control.js');
      const { handleStopSignals } = await import('./stop-signals.js');
      const { formatReport } = await import('../../engine/report/index.js');
      const { registry } = await import('../../modules/index.js');
      const control = new RunControl();
      const unhandle = handleStopSignals(
        control,
        (reports) => {
          for (const rep of reports) {
            const text = formatReport(rep, flags.out === 'json' ? 'highstate' : flags.out, {
              color: false,
              redactor: errorRedactor,
            });
            process.stdout.write(`=== ${rep.host} (abandoned) ===\n${text}`);
          }
        },
        stderr,
      );
      const opts: PushOptions = {
        control,
        lock: { waitMs: flags.lockTimeout * 1000, onWait: (m) => stderr(`brine: ${m}\n`) },
        notice: (m) => stderr(`brine: ${m}\n`),
        targets,
        ...(batch ? { batch } : {}),
        ...(maxFail ? { maxFail } : {}),
        ...(flags.batchWait ? { batchWaitS: flags.batchWait } : {}),
        progress,
        statesDir,
        registry,
        pillarDir,
        ...(flags.env ? { envFile: flags.env } : {}),
        ...(override ? { pillarOverride: override } : {}),
        test: !!flags.test,
        ...(flags.sls ? { sls: flags.sls } : {}),
        parallel: flags.parallel,
        ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
        ...(flags.aggregate === false ? { aggregate: false } : {}),
        ssh: {
          ...(flags.identity ? { identityFiles: flags.identity } : {}),
          ...(flags.acceptNew ? { acceptNew: true } : {}),
          ...(flags.knownHosts ? { knownHostsPath: flags.knownHosts } : {}),
          ...(flags.sshConfig ? { sshConfigPath: flags.sshConfig } : {}),
          connectTimeoutMs: flags.connectTimeout * 1000,
          ...(flags.commandTimeout ? { commandTimeoutMs: flags.commandTimeout * 1000 } : {}),
        },
        out: flags.out,
        color: wantColor(process.stdout),
        redactor: errorRedactor,
        write,
      };
      const planned = saved || flags.planOut ? await import('../../engine/plan/push.js') : undefined;
      const r = saved
        ? await planned!.pushPlanApply({
            ...opts,
            ...(saved.sls ? { sls: saved.sls } : {}),
            aggregate: saved.options.aggregate,
            concurrency: saved.options.concurrency,
            plan: saved,
            partial: !!flags.partial,
          })
        : flags.planOut
          ? await planned!.pushPlanOut({ ...opts, planOut: flags.planOut, command: 'push' })
          : await push(opts);
      await progress.end();
      for (const [stream, s] of held) stream.write(s);
      unhandle();
      process.exitCode = control.stopped ? stopExitCode(control.stopped) : r.exitCode;
    });
}
