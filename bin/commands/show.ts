// Placeholder until the command lands.
import type { Command } from 'commander';

export function register(_program: Command): void {}
