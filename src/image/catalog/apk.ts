import type { FoundPackage } from './model.js';

export const APK_DATABASE = 'lib/apk/db/installed';

/** apk's installed database: one-letter fields (`P:` name, `V:` version, `o:` origin, `L:` license). */
export function readApkInstalled(text: string): FoundPackage[] {
  const packages: FoundPackage[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      if (line[1] === ':' && !fields.has(line[0]!)) fields.set(line[0]!, line.slice(2).trim());
    }
    const name = fields.get('P');
    const version = fields.get('V');
    if (!name || !version) continue;
    const license = fields.get('L');
    packages.push({
      type: 'apk',
      name,
      version,
      source: { name: fields.get('o') || name, version },
      licenses: license ? [license] : [],
    });
  }
  return packages;
}
