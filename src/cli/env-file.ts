import { readFileSync } from 'node:fs';
import { UsageError } from './exit.js';

/** A service's `.env` (or `--env-file`): a missing default file is normal, a missing named one is not. */
export function readEnvFile(explicit: string | undefined): string | undefined {
  const file = explicit ?? '.env';
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (explicit === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read --env-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
