// The data that flows between load and compile: every state declaration as written in an SLS
// file, with the file and line of the declaration and of each argument.

export interface SourceLoc {
  /** Path relative to the states dir (e.g. 'common/init.sls'), or absolute for files outside it. */
  file: string;
  /** 1-based line. */
  line: number;
}

export interface ArgDecl {
  key: string;
  value: unknown;
  loc: SourceLoc;
}

/** One `module.function` under one ID in one SLS file. */
export interface StateDecl {
  id: string;
  /** Dotted SLS name the ID comes from ('common', 'appliance.nginx'). */
  sls: string;
  module: string;
  fun: string;
  /** Arguments in declaration order (Salt's list of single-key dicts, flattened). */
  args: ArgDecl[];
  loc: SourceLoc;
}

/** The result of loading a set of SLS names with their includes. */
export interface HighData {
  /** All declarations in declaration order (include order first, like Salt). */
  states: StateDecl[];
  /** Every SLS name that was loaded, in load order. */
  sls: string[];
  /** `extend:` blocks: declarations that add/override args of states declared elsewhere. */
  extend: StateDecl[];
  /** `exclude:` entries: `{sls: name}` or `{id: name}`. */
  exclude: Array<{ sls?: string; id?: string; loc: SourceLoc }>;
}
