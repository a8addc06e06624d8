import { readFileSync } from 'node:fs';

/** The package version, read once from package.json so it cannot drift from what npm publishes. */
export const VERSION: string = readVersion();

/**
 * The nearest package.json above this module: three levels up from dist/src/cli/ as tsc emits
 * it, one from the bundled CLI (dist/shipshape.cjs).
 */
function readVersion(): string {
  let url = new URL('package.json', import.meta.url);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: string };
      return pkg.version ?? '0.0.0';
    } catch {
      const parent = new URL('../package.json', url);
      if (parent.href === url.href) return '0.0.0';
      url = parent;
    }
  }
}
