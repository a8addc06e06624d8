import type { FoundPackage } from './model.js';

/** dpkg's database: `var/lib/dpkg/status`, or one file per package in `status.d/` (distroless). */
export function isDpkgDatabase(path: string): boolean {
  return path === 'var/lib/dpkg/status' || (/^var\/lib\/dpkg\/status\.d\/[^/]+$/.test(path) && !path.endsWith('.md5sums'));
}

/** The installed packages of a dpkg status file: RFC 822-style stanzas, continuation lines indented. */
export function readDpkgStatus(text: string): FoundPackage[] {
  const packages: FoundPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of stanza.split('\n')) {
      if (/^\s/.test(line) && last) {
        fields.set(last, `${fields.get(last)}\n${line.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) fields.set((last = m[1]!.toLowerCase()), m[2]!.trim());
    }
    const name = fields.get('package');
    const version = fields.get('version');
    const status = fields.get('status');
    // Removed but not purged packages keep a stanza (`deinstall ok config-files`).
    if (!name || !version || (status !== undefined && !/\binstalled$/.test(status))) continue;
    const source = /^(\S+)(?:\s+\((\S+)\))?/.exec(fields.get('source') ?? '');
    packages.push({
      type: 'deb',
      name,
      version,
      source: { name: source?.[1] ?? name, version: source?.[2] ?? version },
      licenses: [],
    });
  }
  return packages;
}
