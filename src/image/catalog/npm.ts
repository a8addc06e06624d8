import type { FoundPackage } from './model.js';

/** `package-lock.json` (also npm's hidden `node_modules/.package-lock.json`). */
export function isNpmLockfile(path: string): boolean {
  return /(^|\/)(package-lock|\.package-lock)\.json$/.test(path);
}

/** The manifest of an installed package: `node_modules/<name>/package.json` or `node_modules/@scope/<name>/package.json`. */
export function isInstalledNpmManifest(path: string): boolean {
  return /(^|\/)node_modules\/(@[^/]+\/)?[^/@.][^/]*\/package\.json$/.test(path);
}

export function readNpmManifest(text: string): FoundPackage[] {
  const doc = parse(text);
  const name = doc?.['name'];
  const version = doc?.['version'];
  if (typeof name !== 'string' || typeof version !== 'string' || name === '' || version === '') return [];
  return [{ type: 'npm', name, version, licenses: licensesOf(doc?.['license']) }];
}

/** The packages a lockfile pins: v2/v3 `packages` by install path, or v1's nested `dependencies`. */
export function readNpmLockfile(text: string): FoundPackage[] {
  const doc = parse(text);
  if (!doc) return [];
  const found: FoundPackage[] = [];
  const packages = doc['packages'];
  if (isRecord(packages)) {
    for (const [path, entry] of Object.entries(packages)) {
      if (path === '' || !isRecord(entry) || entry['link'] === true) continue;
      const name = typeof entry['name'] === 'string' ? entry['name'] : /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path)?.[1];
      const version = entry['version'];
      if (name && typeof version === 'string' && version !== '') found.push({ type: 'npm', name, version, licenses: licensesOf(entry['license']) });
    }
    return found;
  }
  const walk = (dependencies: unknown, depth: number) => {
    if (!isRecord(dependencies) || depth > 64) return;
    for (const [name, entry] of Object.entries(dependencies)) {
      if (!isRecord(entry)) continue;
      const version = entry['version'];
      // v1 writes `file:` and git URLs as versions of packages that are not on the registry.
      if (typeof version === 'string' && /^\d/.test(version)) found.push({ type: 'npm', name, version, licenses: [] });
      walk(entry['dependencies'], depth + 1);
    }
  };
  walk(doc['dependencies'], 0);
  return found;
}

function licensesOf(value: unknown): string[] {
  if (typeof value === 'string' && value !== '') return [value];
  if (isRecord(value) && typeof value['type'] === 'string') return [value['type']];
  return [];
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
