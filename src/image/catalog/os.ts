import type { OperatingSystem } from './model.js';

/** The files that name the distribution, most telling first. */
export const OS_FILES = ['etc/os-release', 'usr/lib/os-release', 'etc/alpine-release', 'etc/debian_version'];

/** The distribution from whichever of OS_FILES the image has (by path). */
export function operatingSystem(files: ReadonlyMap<string, string>): OperatingSystem | undefined {
  const release = files.get('etc/os-release') ?? files.get('usr/lib/os-release');
  if (release !== undefined) {
    const fields = new Map<string, string>();
    for (const line of release.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) fields.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2'));
    }
    const id = fields.get('ID');
    if (id) return { id: id.toLowerCase(), version: fields.get('VERSION_ID') ?? '', name: fields.get('PRETTY_NAME') ?? id };
  }
  const alpine = files.get('etc/alpine-release')?.trim();
  if (alpine) return { id: 'alpine', version: alpine, name: `Alpine Linux v${alpine}` };
  const debian = files.get('etc/debian_version')?.trim();
  if (debian) return { id: 'debian', version: debian.split('.')[0] ?? debian, name: `Debian GNU/Linux ${debian}` };
  return undefined;
}

/**
 * The OSV ecosystem of the distribution's packages: `Debian:12`, `Ubuntu:22.04`, `Alpine:v3.19`,
 * `Red Hat`, `Rocky Linux:9`, … Advisory databases file distribution packages per release.
 */
export function osEcosystem(os: OperatingSystem | undefined): string | undefined {
  if (!os) return undefined;
  const major = os.version.split('.')[0] ?? os.version;
  switch (os.id) {
    case 'debian':
      return `Debian:${major}`;
    case 'ubuntu':
      return `Ubuntu:${os.version}`;
    case 'alpine':
      return `Alpine:v${os.version.split('.').slice(0, 2).join('.')}`;
    case 'rhel':
      return 'Red Hat';
    case 'rocky':
      return `Rocky Linux:${major}`;
    case 'almalinux':
      return `AlmaLinux:${major}`;
    case 'opensuse-leap':
    case 'opensuse-tumbleweed':
      return 'openSUSE';
    default:
      return undefined;
  }
}
