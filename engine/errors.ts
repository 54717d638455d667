// The few named error classes of brine. Each has a stable `code` and carries its location in
// the message, so the CLI can print one line and map the class to an exit code.

export type ErrorCode = 'RENDER' | 'COMPILE' | 'REQUISITE_CYCLE' | 'TRANSPORT' | 'COMMAND' | 'STATE' | 'ENV' | 'USAGE';

export abstract class BrineError extends Error {
  abstract readonly code: ErrorCode;
  /** Exit code the CLI uses when this error ends a command (DESIGN.md: 1 failure, 3 bad input). */
  abstract readonly exitCode: 1 | 3;
}

/** A template or YAML file could not be rendered or parsed. */
export class RenderError extends BrineError {
  readonly code = 'RENDER';
  readonly exitCode = 3;
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'RenderError';
  }
}

/** High data could not be compiled into valid state chunks (bad argument, missing requisite target...). */
export class CompileError extends BrineError {
  readonly code = 'COMPILE';
  readonly exitCode = 3;
  constructor(
    readonly location: string,
    readonly reason: string,
  ) {
    super(`${location}: ${reason}`);
    this.name = 'CompileError';
  }
}

/** Requisites form a cycle; `path` lists the states of the cycle in order. */
export class RequisiteCycleError extends BrineError {
  readonly code = 'REQUISITE_CYCLE';
  readonly exitCode = 3;
  constructor(readonly path: string[]) {
    super(`requisite cycle: ${path.join(' -> ')}`);
    this.name = 'RequisiteCycleError';
  }
}

/** A host could not be reached or the connection broke. */
export class TransportError extends BrineError {
  readonly code = 'TRANSPORT';
  readonly exitCode = 1;
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`${host}: ${reason}`);
    this.name = 'TransportError';
  }
}

/** A command a module needed failed. `result` is the (already redacted by the caller if needed) exec result. */
export class CommandError extends BrineError {
  readonly code = 'COMMAND';
  readonly exitCode = 1;
  constructor(
    readonly result: { argv: string[]; exitCode: number; stdout: string; stderr: string },
    reason?: string,
  ) {
    const what = reason ?? `\`${result.argv.join(' ')}\` exited ${result.exitCode}`;
    const err = result.stderr.trim().split('\n').slice(-3).join(' | ');
    super(err ? `${what}: ${err}` : what);
    this.name = 'CommandError';
  }
}

/** A state failed in a way its module reports as a failure (not a bug). */
export class StateError extends BrineError {
  readonly code = 'STATE';
  readonly exitCode = 1;
  constructor(
    readonly state: string,
    readonly reason: string,
  ) {
    super(`${state}: ${reason}`);
    this.name = 'StateError';
  }
}

/** The env (env.yml) or pillar is invalid or missing. */
export class EnvError extends BrineError {
  readonly code = 'ENV';
  readonly exitCode = 3;
  constructor(
    readonly location: string,
    readonly reason: string,
  ) {
    super(`${location}: ${reason}`);
    this.name = 'EnvError';
  }
}

/** Bad command-line arguments or options. */
export class UsageError extends BrineError {
  readonly code = 'USAGE';
  readonly exitCode = 3;
  constructor(reason: string) {
    super(reason);
    this.name = 'UsageError';
  }
}
