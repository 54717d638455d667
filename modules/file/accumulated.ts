// file.accumulated: text for a file.managed template's `accumulator[NAME]` (Salt's way for several
// formulas to add lines to one file). It changes nothing itself; the file state it is linked to
// (require_in / watch_in, or that file requiring it) reads its text when it renders.
import type { StateFunction } from '../../engine/contract.js';

export interface AccumulatedArgs {
  name: string;
  filename: string;
  text: string | string[];
}

export const accumulated: StateFunction<AccumulatedArgs, null> = {
  schema: {
    type: 'object',
    required: ['name', 'filename', 'text'],
    properties: {
      name: { type: 'string', minLength: 1 },
      filename: { type: 'string', pattern: '^/' },
      text: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: ['string', 'number'] } }] },
    },
    additionalProperties: false,
  },
  gather: async () => null,
  plan(args, _f, ctx) {
    const linked = (ctx?.linkedStates?.() ?? []).some((s) => s.module === 'file' && s.name === args.filename);
    if (ctx?.linkedStates && !linked)
      ctx.log.warn(
        `no file state for ${args.filename} is linked to this one (require_in or watch_in it): the text is not used`,
      );
    else ctx?.log.info(`Accumulator ${args.name} for file ${args.filename} was charged by text`);
    return [];
  },
  async apply() {},
};
