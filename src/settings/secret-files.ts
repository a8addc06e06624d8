import { readFileSync } from 'node:fs';

/**
 * `NAME_FILE=/run/secrets/x` sets `NAME` from that file, as the official database images do, so
 * secrets reach a container as files (compose secrets, Kubernetes Secret volumes) and never sit in
 * its environment, where `docker inspect` shows them. One trailing newline is dropped. `NAME` set
 * directly as well is a mistake: which one was meant cannot be told.
 */
export function readSecretFiles(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): { env: Record<string, string | undefined>; problems: string[] } {
  const result: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const path = env[`${name}_FILE`]?.trim();
    if (!path) continue;
    if (env[name]?.trim()) {
      problems.push(`${name} and ${name}_FILE are both set; keep one`);
      continue;
    }
    try {
      result[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(`${name}_FILE names a file that cannot be read: ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return { env: result, problems };
}
