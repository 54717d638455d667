// file's changes, typed: apply reads `kind` (and the fields below), never the target's text; the
// target stays what the report shows (the path, 'mode', 'user', 'group', 'DIR/**').
import type { Kinded } from '../../engine/contract.js';

/** The attributes file states manage; each is its own kind, and the change's target. */
export type AttrKind = 'mode' | 'user' | 'group';
/** A mode ('0644'), owner or group to set: before is what the path has. */
export type AttrChange = Kinded<AttrKind, string | undefined, string>;
/**
 * The file itself (or the link file.symlink makes): created, its contents replaced (before/after:
 * sha256 hashes, or what a copy, rename or symlink makes), or removed. A text edit's new text is
 * the payload.
 */
export type FileItselfChange = Kinded<'file', unknown, unknown>;
/** A directory to make, or the thing in its way that force removes first. */
export type DirectoryChange = Kinded<'directory' | 'in-the-way', unknown, unknown>;
/** A directory's recurse drift: its tree gets user/group/mode again. */
export type RecurseDriftChange = Kinded<'recurse', string, unknown>;
/** A path that clean removes (`path`), its contents with it. */
export type CleanChange = Kinded<'clean', unknown, never> & { path: string };
/** An entry of file.recurse's tree (`path`, `rel` under the state's name): written, made or re-owned. */
export type TreeChange = Kinded<'tree-file' | 'tree-dir' | 'tree-attrs', unknown, unknown> & {
  path: string;
  rel: string;
};

export type FileChange =
  | AttrChange
  | FileItselfChange
  | DirectoryChange
  | RecurseDriftChange
  | CleanChange
  | TreeChange;

const ATTR_KINDS: ReadonlySet<string> = new Set<AttrKind>(['mode', 'user', 'group']);

export function isAttrChange(c: { kind?: string }): c is AttrChange {
  return c.kind !== undefined && ATTR_KINDS.has(c.kind);
}

/** file.managed, file.copy, the text edits: the file and its attributes. */
export type ContentChange = FileItselfChange | AttrChange;
/** file.directory's changes. */
export type DirChange = DirectoryChange | AttrChange | RecurseDriftChange | CleanChange;
/** file.recurse's changes: the entries of the tree, and what clean removes. */
export type TreeOrCleanChange = TreeChange | CleanChange;
