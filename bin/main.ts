// Runs the parsed program and turns errors into one line and an exit code (DESIGN.md):
// 0 ok, 1 a state failed / host unreachable, 2 --test with pending changes, 3 bad input.
import { CommanderError, type Command } from 'commander';
import { BrineError } from '../engine/errors.js';
import { Redactor } from '../engine/redact.js';

/** Secrets registered by commands (pillar, secret args): error lines pass through it too. */
export const errorRedactor = new Redactor();

export async function runMain(program: Command): Promise<void> {
  // subcommands copy settings when created, so override each one (usage errors exit 3, not 1)
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; anything else is a usage error
      process.exit(err.exitCode === 0 ? 0 : 3);
    }
    if (err instanceof BrineError) {
      process.stderr.write(`brine: ${errorRedactor.redact(err.message)}\n`);
      process.exit(err.exitCode);
    }
    const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`brine: internal error: ${errorRedactor.redact(msg)}\n`);
    process.exit(1);
  }
}
