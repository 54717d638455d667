// Typed access to the nunjucks internals the Salt-compatibility layer patches (parser, compiler,
// runtime, nodes, lexer): @types/nunjucks only describes the public API.
import nunjucks from 'nunjucks';

export type AnyFn = (this: any, ...args: any[]) => any;
export type NodeCtor = new (lineno: number, colno: number, ...fields: any[]) => any;

interface Internals {
  runtime: Record<string, any>;
  lib: Record<string, any>;
  nodes: Record<string, NodeCtor & { extend: (name: string, props?: object) => NodeCtor }>;
  lexer: Record<string, string>;
  parser: { Parser: { prototype: Record<string, AnyFn> } };
  compiler: { Compiler: { prototype: Record<string, AnyFn> } };
}

export const nj = nunjucks as unknown as typeof nunjucks & Internals;
