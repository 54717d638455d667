// Env sources that are plain files on the host: $ENV_YML and /app/env.yml.
import type { EnvSource, FoundEnv, SourceCtx } from './types.js';

async function readOn(ctx: SourceCtx, path: string, source: string): Promise<FoundEnv | null> {
  const data = await (ctx.read ? ctx.read(path) : ctx.host.readFile(path));
  return data === null ? null : { text: data.toString('utf8'), source };
}

/** The file named by $ENV_YML (of the brine process), read on the host. */
export const envYmlVar: EnvSource = {
  name: 'ENV_YML',
  async find(ctx) {
    const path = ctx.vars.ENV_YML;
    if (!path) return null;
    return readOn(ctx, path, `ENV_YML:${path}`);
  },
};

export const APP_ENV_PATH = '/app/env.yml';

/** /app/env.yml on the host. */
export const appEnvFile: EnvSource = {
  name: 'app',
  find: (ctx) => readOn(ctx, APP_ENV_PATH, APP_ENV_PATH),
};
