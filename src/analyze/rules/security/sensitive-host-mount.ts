import { confinedTo } from '../../../compose/index.js';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { isWrittenRelative } from '../../source-text.js';
import { hostBindings, isEngineSocket, isHomeRelative, isProjectPath, isWithin } from '../../facts/index.js';

/** Host folders whose contents give control over, or secrets of, the host: what they are, and what they hold. */
const SENSITIVE: readonly (readonly [root: string, what: string, holds: string])[] = [
  ['/boot', 'the host\'s boot files', 'the kernel and boot loader'],
  ['/dev', 'the host\'s devices', 'every device node of the host'],
  ['/etc', 'the host\'s configuration', 'the host\'s configuration, including /etc/shadow, /etc/sudoers and SSH host keys'],
  ['/lib', 'the host\'s libraries', 'the host\'s libraries and kernel modules'],
  ['/lib64', 'the host\'s libraries', 'the host\'s libraries'],
  ['/bin', 'the host\'s programs', 'the host\'s programs'],
  ['/sbin', 'the host\'s system programs', 'the host\'s system programs'],
  ['/usr', 'the host\'s programs and libraries', 'the host\'s programs and libraries'],
  ['/proc', 'the host\'s kernel interface', 'the host\'s kernel interface and every process\'s memory maps and environment'],
  ['/sys', 'the host\'s kernel controls', 'the host\'s kernel and hardware controls'],
  ['/root', 'root\'s home', 'root\'s home: SSH keys, shell history, cloud and registry credentials'],
  ['/home', 'the users\' homes', 'the users\' homes: SSH keys, shell history, cloud and registry credentials'],
  ['/run', 'the host\'s runtime state', 'the host\'s runtime sockets (Docker, containerd, systemd, D-Bus)'],
  ['/var/run', 'the host\'s runtime state', 'the host\'s runtime sockets (Docker, containerd, systemd, D-Bus)'],
  ['/tmp', 'the host\'s shared temporary folder', 'temporary files and sockets of host processes (X11, SSH agents)'],
  ['/var/lib/docker', 'the Docker engine\'s state', 'every container\'s filesystem and every volume of the Docker engine'],
  ['/var/lib/containerd', 'containerd\'s state', 'every container\'s filesystem of containerd'],
];

/** Places below the sensitive folders that hold something specific, for a precise message. */
const SPECIFIC: readonly (readonly [pattern: RegExp, holds: string])[] = [
  [/^\/etc\/g?shadow$/, 'the host\'s password hashes'],
  [/^\/etc\/(passwd|group)$/, 'the host\'s accounts'],
  [/^\/etc\/sudoers(\.d)?(\/|$)/, 'the host\'s sudo rules'],
  [/^\/etc\/ssh(\/|$)/, 'the host\'s SSH server configuration and host keys'],
  [/^\/etc\/(ssl\/private|letsencrypt|pki\/tls\/private)(\/|$)/, 'TLS private keys'],
  [/^\/etc\/(cron[^/]*|systemd|init\.d|rc\.local|profile\.d)(\/|$)/, 'what the host runs: write access there is code execution as root on the host'],
  [/^\/sys\/fs\/cgroup(\/|$)/, 'the host\'s cgroup controls (a known container escape when writable)'],
  [/^\/proc\/sys(\/|$)/, 'the host\'s kernel parameters'],
  [/\/\.ssh(\/|$)/, 'SSH keys'],
  [/\/\.(aws|azure|kube|docker|gnupg|config\/gcloud)(\/|$)/, 'credentials (cloud, cluster, registry or signing keys)'],
];

/** Read-only files every container may safely share with the host: time zone and public CA certificates. */
const HARMLESS_READ_ONLY = [
  '/etc/localtime',
  '/etc/timezone',
  '/usr/share/zoneinfo',
  '/etc/ssl/certs',
  '/etc/ca-certificates',
  '/usr/share/ca-certificates',
  '/etc/pki/ca-trust/extracted',
  '/etc/pki/tls/certs',
];

/**
 * An ordinary folder inside a home directory (`~/minecraft_data`) is data the user keeps there,
 * not the home's secrets: only the home itself and its hidden entries (`~/.ssh`, `~/.aws`) count.
 */
function isPlainHomeData(source: string): boolean {
  const parts = source.split('/').filter(Boolean);
  const home = parts[0] === 'root' ? 1 : parts[0] === 'home' ? 2 : 0;
  if (home === 0 || parts.length <= home) return false;
  return !parts.slice(home).some((p) => p.startsWith('.'));
}

/**
 * What a bind of `source` exposes, or undefined when it is not sensitive. With `below: false`, a
 * path merely inside a sensitive folder does not count (a project checked out in /tmp or /home).
 */
function exposure(source: string, readOnly: boolean, countBelow = true): string | undefined {
  if (source === '/') return 'the host\'s whole filesystem';
  const specific = SPECIFIC.find(([pattern]) => pattern.test(source))?.[1];
  const inside = SENSITIVE.find(([root]) => isWithin(source, root));
  if (inside) {
    const [root, what, holds] = inside;
    if (root === source) return holds;
    if (specific) return `${specific}, inside ${root}`;
    if (!countBelow) return undefined;
    return `it is inside ${root} (${what}), so the container ${readOnly ? 'reads' : 'can change'} what the host keeps there`;
  }
  if (specific) return specific;
  // A parent of a sensitive folder exposes it too (`/var` holds /var/run/docker.sock).
  const below = SENSITIVE.filter(([root]) => isWithin(root, source)).map(([root]) => root);
  return below.length > 0 ? `a parent of ${below.join(', ')}` : undefined;
}

/**
 * What reaching the host path `source` exposes, or undefined when it is not sensitive: this
 * rule's knowledge, shared with host-path-escape to grade its findings in a local report.
 * `below: false` for a path written relative to the project, which may well live in /home or /tmp.
 */
export function sensitiveHostPath(written: string, options: { readOnly: boolean; below?: boolean }): string | undefined {
  // `~/.ssh` is judged as the deploying user's home would be: as a folder of /home.
  const source = isHomeRelative(written) ? `/home/~${written.slice(1)}` : written;
  if (isEngineSocket(source)) return 'the container engine\'s socket, and with it the host';
  if (options.readOnly && HARMLESS_READ_ONLY.some((p) => isWithin(source, p))) return undefined;
  if (isPlainHomeData(source)) return undefined;
  return exposure(source, options.readOnly, options.below ?? true);
}

export default createRule({
  id: 'sensitive-host-mount',
  severity: 'high',
  category: 'security',
  cis: ['5.6'],
  docs: {
    summary:
      'A service bind-mounts a sensitive host path: `/`, `/boot`, `/dev`, `/etc`, `/lib`, `/proc`, `/sys`, ' +
      '`/usr`, `/root`, `/home`, `/run`, `/var/run`, `/tmp` or something below them.',
    why:
      'These folders hold the host\'s configuration and password hashes, its programs and libraries, kernel ' +
      'interfaces, runtime sockets and users\' credentials. Read-write, they let a compromised container change ' +
      'the host (a line in /etc/cron.d, a replaced binary in /usr); even read-only, they disclose secrets. ' +
      'Not reported: binds of project files (`./config`), read-only time zone and CA certificate files, and ' +
      'ordinary folders inside a home directory (`~/minecraft_data`; the home itself and `~/.ssh`-like entries are).',
    fix:
      'Mount only the file or folder the service needs, from the project directory, read-only (`:ro`); ' +
      'keep data in named volumes. For monitoring agents that must see the host, mount the exact paths ' +
      'read-only and keep the service isolated.',
    example: 'services:\n  backup:\n    image: backup:1.2\n    volumes:\n      - /etc:/host/etc\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    // A path the operator allows (ALLOWED_HOST_PATHS) was vetted: host-path-escape records its use.
    const allowed = ctx.allowedHostPaths?.length ? confinedTo(ctx.allowedHostPaths) : () => false;
    for (const [name, service] of services(ctx)) {
      for (const b of hostBindings(ctx, service)) {
        // The engine socket is docker-socket-mount's finding.
        if (isEngineSocket(b.source) || allowed(b.source)) continue;
        if (b.readOnly && HARMLESS_READ_ONLY.some((p) => isWithin(b.source, p))) continue;
        const path = ['services', name, 'volumes', b.index, 'source'];
        // A volume bound to a folder of the project (`device: ./data`) is the project's too.
        const written = b.volume ? ['volumes', b.volume, 'driver_opts', 'device'] : path;
        if (isProjectPath(ctx, b.source, ctx.load.positionOf(written)?.file)) continue;
        // A relative source names the project's own files, wherever the project is checked out (even /tmp).
        if (!b.volume && isWrittenRelative(ctx, path)) continue;
        if (isPlainHomeData(b.source)) continue;
        const holds = exposure(b.source, b.readOnly);
        if (!holds) continue;
        const target = service.volumes?.[b.index]?.target;
        const via = b.volume ? ` through volume "${b.volume}"` : '';
        const mode = b.readOnly ? 'read-only' : 'read-write';
        const socket = ['/run', '/var/run', '/var'].includes(b.source) ? ' (the Docker socket included)' : '';
        findings.push({
          path,
          message:
            `service "${name}" mounts the host's ${b.source}${via} ${mode}${target ? ` at ${target}` : ''}: ` +
            `${holds}${socket}`,
          fix: b.readOnly
            ? 'mount only the file the service needs, or copy it into the project and mount that'
            : 'mount only the file or folder the service needs, read-only (`:ro`), or keep the data in a named volume',
        });
      }
    }
    return findings;
  },
});
