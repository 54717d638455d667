// Salt's `test` state module: states that succeed or fail, with or without changes, on demand.
// Useful to try requisites and output without touching anything.
import type { Change, StateFunction, StateModule } from '../../engine/contract.js';
import { StateError } from '../../engine/errors.js';

interface Args {
  name: string;
  [k: string]: unknown;
}

const open = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };

function pretend(name: string): Change[] {
  return [{ op: 'run', target: name, before: 'Unchanged', after: 'Something pretended to change' }];
}

function simple(o: { changes: boolean; fail: boolean; comment: string; quiet?: boolean }): StateFunction<Args, null> {
  return {
    schema: open,
    gather: async () => null,
    plan(args, _facts, ctx) {
      if (!o.changes && o.fail) throw new StateError(args.name, o.comment);
      if (!o.changes && !o.quiet) ctx.log.info(o.comment);
      return o.changes ? pretend(args.name) : [];
    },
    async apply() {
      return { result: !o.fail, comment: o.comment };
    },
  };
}

interface ConfigurableArgs extends Args {
  changes?: boolean;
  result?: boolean;
  comment?: string;
}

const configurable: StateFunction<ConfigurableArgs, null> = {
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      changes: { type: 'boolean', default: true },
      result: { type: 'boolean', default: true },
      comment: { type: 'string', default: '' },
    },
    required: ['name'],
    additionalProperties: false,
  },
  gather: async () => null,
  plan(args, _facts, ctx) {
    if (!args.changes && args.result === false) throw new StateError(args.name, args.comment || 'Failure!');
    if (!args.changes && args.comment) ctx.log.info(args.comment);
    return args.changes ? pretend(args.name) : [];
  },
  async apply(_host, _changes, ctx) {
    return { result: ctx.args.result !== false, comment: ctx.args.comment || undefined };
  },
};

interface NotificationArgs extends Args {
  text?: string;
}

const showNotification: StateFunction<NotificationArgs, null> = {
  schema: {
    type: 'object',
    properties: { name: { type: 'string' }, text: { type: 'string' } },
    required: ['name'],
    additionalProperties: false,
  },
  gather: async () => null,
  plan(args, _facts, ctx) {
    ctx.log.info(args.text ?? args.name);
    return [];
  },
  async apply() {},
};

export const modules: Record<string, StateModule> = {
  test: {
    nop: simple({ changes: false, fail: false, comment: '', quiet: true }),
    succeed_without_changes: simple({ changes: false, fail: false, comment: 'Success!' }),
    succeed_with_changes: simple({ changes: true, fail: false, comment: 'Success!' }),
    fail_without_changes: simple({ changes: false, fail: true, comment: 'Failure!' }),
    fail_with_changes: simple({ changes: true, fail: true, comment: 'Failure!' }),
    configurable_test_state: configurable,
    show_notification: showNotification,
  },
};
