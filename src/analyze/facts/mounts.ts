import { dirname, posix } from 'node:path';
import type { Service } from '../../compose/index.js';
import type { RuleContext } from '../types.js';

/** The host paths services mount (docs/facts.md). */

const isObject = <T>(value: T): value is T & object => typeof value === 'object' && value !== null;

export interface HostBinding {
  /** Index in `services.<name>.volumes`. */
  index: number;
  /** Normalized absolute host path. */
  source: string;
  readOnly: boolean;
  /** Set when the host path comes from a named volume declared as a bind (`driver_opts.o: bind`). */
  volume?: string;
}

/**
 * Every host path the service mounts: `type: bind` entries, and named volumes whose top-level
 * definition mounts a host path (`driver: local` with `o: bind` and `device: /path`, a block
 * device, an overlay of host folders), a common way to hide a host path behind a volume name.
 */
export function hostBindings(ctx: RuleContext, service: Service): HostBinding[] {
  const out: HostBinding[] = [];
  (Array.isArray(service.volumes) ? service.volumes : []).forEach((v, index) => {
    if (!isObject(v)) return;
    const readOnly = v.read_only === true;
    if (v.type === 'bind' && typeof v.source === 'string' && isHostPath(v.source)) {
      out.push({ index, source: normalizeHostPath(v.source), readOnly });
    } else if (v.type === 'volume' && typeof v.source === 'string') {
      const device = bindDeviceOf(ctx, v.source);
      if (device) out.push({ index, source: normalizeHostPath(device), readOnly, volume: v.source });
    }
  });
  return out;
}

/** Local-driver mount types whose `device` is on another machine, not a host path. */
const REMOTE_FILESYSTEMS = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'tmpfs']);

/**
 * The host path a named volume really mounts: the local driver hands `type`, `o` and `device`
 * to mount(2) on the host, so a `device` that is a path (a bind of /etc, a relative path judged
 * from the daemon's `/`, a block device such as /dev/sda1 with `type: ext4`) or an overlay's
 * `lowerdir=`/`upperdir=` is the host's, whatever the volume is called.
 */
function bindDeviceOf(ctx: RuleContext, volume: string): string | undefined {
  const config = ctx.project.volumes[volume];
  const opts = config?.['driver_opts'];
  if (!opts || typeof opts !== 'object') return undefined;
  if (typeof config?.driver === 'string' && !['', 'local'].includes(config.driver)) return undefined;
  const { type, o, device } = opts as Record<string, unknown>;
  const fsType = typeof type === 'string' ? type.trim().toLowerCase() : '';
  if (REMOTE_FILESYSTEMS.has(fsType)) return undefined;
  const flags = typeof o === 'string' ? o.split(',').map((f) => f.trim()) : [];
  const layer = flags.map((f) => /^(lowerdir|upperdir|workdir)=(.+)$/i.exec(f)?.[2]?.split(':')[0]).find((p) => p !== undefined);
  if (layer !== undefined) return posix.resolve('/', layer);
  if (typeof device !== 'string' || device.trim() === '' || (fsType === 'overlay' && !device.includes('/'))) return undefined;
  return posix.resolve('/', device.trim());
}

/**
 * `~` and `~/…` as written: the analyzer leaves them unexpanded (the scanning user's home says
 * nothing about the deploy host's, docs/pipeline.md), but the engine that runs the stack expands
 * them to its own user's home, so they are host paths outside any project.
 */
export function isHomeRelative(path: string): boolean {
  return path === '~' || path.startsWith('~/');
}

/** An absolute host path, or one relative to the deploying user's home. */
export function isHostPath(path: string): boolean {
  return path.startsWith('/') || isHomeRelative(path);
}

export function normalizeHostPath(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

/** `path` equals `root` or lies below it. */
export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
}

/**
 * The Unix sockets that control a container engine; whoever can write to one controls the host.
 * Rootless Docker lives under `/run/user/<uid>/docker.sock`, so the name decides, not the folder.
 */
const ENGINE_SOCKETS = new Set(['docker.sock', 'podman.sock', 'containerd.sock', 'crio.sock', 'cri-dockerd.sock']);

export function isEngineSocket(path: string): boolean {
  return ENGINE_SOCKETS.has(posix.basename(path));
}

/**
 * Whether a bind source is part of the project itself (`./data`, `./nginx.conf`, resolved to an
 * absolute path by the loader): such paths say nothing about the host and must not look like a
 * mount of `/home` or `/tmp` just because the project happens to live there.
 */
export function isProjectPath(ctx: RuleContext, source: string, writtenIn: string | undefined): boolean {
  const roots = [ctx.dir, ctx.project.working_dir, ...(writtenIn ? [dirname(writtenIn)] : [])];
  return roots.some((root) => root !== '/' && isWithin(source, normalizeHostPath(root)));
}
