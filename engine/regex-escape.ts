// A string as a literal inside a RegExp (every RegExp metacharacter escaped).

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
