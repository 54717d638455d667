// users' changes, typed: apply reads `kind` (and before/after), never the target's text; the
// target stays what the report shows (the account's name, 'uid', 'gid', 'home', 'groups'...).
import type { Kinded } from '../../engine/contract.js';

/** The account itself: created (after: what it gets) or removed (before: what it had). */
export type AccountChange = Kinded<'account', Record<string, unknown> | undefined, Record<string, unknown> | string>;
/** A user's uid or (primary) gid, a group's gid. */
export type IdChange = Kinded<'uid' | 'gid', number, number | string>;
/** A user's home, shell or GECOS field. */
export type UserTextChange = Kinded<'home' | 'shell' | 'gecos', string, string>;
/** A user's supplementary groups, a group's members: the whole list after. */
export type ListChange = Kinded<'groups' | 'members', string[], string[]>;
/** A user's password (before and after hidden). */
export type PasswordChange = Kinded<'password', string, string>;

export type UserChange = AccountChange | IdChange | UserTextChange | ListChange | PasswordChange;
export type GroupChange = AccountChange | IdChange | ListChange;

/** An authorized_keys or known_hosts edit (`file`), with the .ssh directory it needs (`directory`). */
export type KeyFileChange = Kinded<'file' | 'directory', never, string>;
