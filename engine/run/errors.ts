// Exceptions in modules become a one-line comment (no stack trace).
import { BrineError } from '../errors.js';

export function oneLine(err: unknown): string {
  if (err instanceof BrineError) return err.message.replace(/\s*\n\s*/g, ' | ');
  if (err instanceof Error)
    return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`.replace(/\s*\n\s*/g, ' | ');
  return String(err);
}
