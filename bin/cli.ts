// brine's command line: argument parsing only. Each command lives in bin/commands/<name>.ts and
// registers itself on the program; the work is done by engine/.
import { Command } from 'commander';
import { register as registerEnv } from './commands/env.js';
import { register as registerHighstate } from './commands/highstate.js';
import { register as registerPush } from './commands/push.js';
import { register as registerShow } from './commands/show.js';
import { register as registerSizing } from './commands/sizing.js';
import { runMain } from './main.js';

const program = new Command('brine')
  .description('Declarative configuration in the spirit of SaltStack states')
  .version('0.1.0');

registerHighstate(program); // highstate, sls
registerShow(program); // show top|highstate|lowstate|pillar|grains
registerPush(program); // push
registerEnv(program); // env create|export|activate
registerSizing(program); // sizing

await runMain(program);
