// Redaction of secrets from every output: text, JSON, markdown, logs, errors.
// The env/pillar code registers secret values; report and CLI pass everything through redact().

export const REDACTED = '<redacted>';

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  /** Registers a secret value. Very short values are ignored (they would redact ordinary words). */
  add(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const s = String(value);
    if (s.length < 6) return;
    if (this.secrets.has(s)) return;
    this.secrets.add(s);
    // Multi-line secrets (keys) are also hidden line by line, so a diff that shows part of one
    // never leaks its body.
    if (s.includes('\n')) {
      for (const line of s.split('\n')) {
        const t = line.trim();
        if (t.length >= 16 && !/^-----(BEGIN|END) /.test(t)) this.secrets.add(t);
      }
    }
    this.pattern = null;
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    if (!this.pattern) {
      const parts = [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = new RegExp(parts.join('|'), 'g');
    }
    return text.replace(this.pattern, REDACTED);
  }

  /** Redacts every string inside a JSON-like value. */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object' && !(value instanceof Buffer)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactDeep(v);
      return out as T;
    }
    return value;
  }
}
