import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The corpus copied into test/fixtures (the compiled test runs from dist/test, three levels down). */
export const CORPUS_DIR = fileURLToPath(new URL('../../../test/fixtures/corpus', import.meta.url));

/** Every YAML file of the corpus, sorted. */
export function corpusFiles(dir = CORPUS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
