import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of `test/fixtures/<segments>`, found by walking up from the working directory and
 * from this file (tests run from `dist/test/…` after the build, fixtures stay in `test/`).
 */
export function fixturePath(...segments: string[]): string {
  const starts = [process.cwd(), path.dirname(fileURLToPath(import.meta.url))];
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'test', 'fixtures', ...segments);
      if (existsSync(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`fixture test/fixtures/${segments.join('/')} not found`);
}
