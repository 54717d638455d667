// postgres' changes, typed: apply reads `kind` (and a flag's `flag`, an option's `option`), never the
// target's text; the target stays what the report shows (the object's name, 'owner', 'createdb'...).
import type { Kinded } from '../../engine/contract.js';
import type { Flag } from './user.js';

/** The object itself: created (after: what it gets) or dropped (before: what it had). */
type ObjectChange<K extends string> = Kinded<K, unknown, unknown>;
/** The owner of a database, schema or tablespace. */
export type OwnerChange = Kinded<'owner', string | null, string>;

export type DatabaseChange = ObjectChange<'database'> | OwnerChange | Kinded<'tablespace', string | null, string>;
export type SchemaChange = ObjectChange<'schema'> | OwnerChange;
/** An extension's schema or version (ALTER EXTENSION). */
export type ExtensionChange = ObjectChange<'extension'> | Kinded<'schema' | 'version', string | null, string>;
/** A role's flag (`flag`: login, createdb... as its target) or its password (hidden). */
export type RoleChange =
  | ObjectChange<'role'>
  | (Kinded<'flag', boolean | undefined, boolean> & { flag: Flag })
  | Kinded<'password', string, string>;
/** A tablespace option (`option`: its name; target `options.NAME`). */
export type TablespaceChange =
  | ObjectChange<'tablespace'>
  | OwnerChange
  | (Kinded<'option', string | undefined, string> & { option: string });
