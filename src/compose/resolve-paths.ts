import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { MapNode, Node } from './node.js';
import { findRule, type PathPattern } from './paths.js';

/**
 * Relative paths in a compose file are relative to the project directory, except in a file
 * reached through `extends.file` or `include`, whose paths are relative to that file's own
 * directory. Each file is resolved against its own base before it is merged, so the merged model
 * only holds absolute paths and no later phase needs to know where a value came from.
 */
type Resolver = (n: Node, baseDir: string, home: string | null) => Node;

const isRemote = (p: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('git@') || p.startsWith('github.com/');

/**
 * `home` is the HOME of the environment the project is loaded with (compose reads its own $HOME);
 * null leaves `~` as written, for the analyzer, to which the home of whoever runs it says nothing.
 */
export function resolveLocalPath(p: string, baseDir: string, home: string | null = homedir()): string {
  if (p === '~' || p.startsWith('~/')) return home === null ? p : resolve(home, p.slice(2));
  if (isAbsolute(p) || /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\')) return p;
  return resolve(baseDir, p);
}

const localPath: Resolver = (n, baseDir, home) =>
  n.kind === 'scalar' && typeof n.value === 'string' && !isRemote(n.value)
    ? { ...n, value: resolveLocalPath(n.value, baseDir, home) }
    : n;

const contextPath: Resolver = (n, baseDir, home) =>
  n.kind === 'scalar' && typeof n.value === 'string' && !/^(docker-image|service|oci-layout):/.test(n.value)
    ? localPath(n, baseDir, home)
    : n;

/** A volume's source is a path only when the mount is a bind. */
const bindSource: Resolver = (n, baseDir, home) => {
  if (n.kind !== 'map') return n;
  const type = n.entries.get('type')?.value;
  const source = n.entries.get('source');
  if (type?.kind === 'scalar' && type.value === 'bind' && source) source.value = localPath(source.value, baseDir, home);
  return n;
};

/** A `local` volume with `o: bind` mounts `driver_opts.device`, a host path (compose resolves it too). */
const boundDevice: Resolver = (n, baseDir, home) => {
  if (n.kind !== 'map') return n;
  const driver = n.entries.get('driver')?.value;
  const options = n.entries.get('driver_opts')?.value;
  if (driver?.kind !== 'scalar' || driver.value !== 'local' || options?.kind !== 'map') return n;
  const o = options.entries.get('o')?.value;
  const device = options.entries.get('device');
  if (o?.kind === 'scalar' && o.value === 'bind' && device) device.value = localPath(device.value, baseDir, home);
  return n;
};

export const PATH_RULES: readonly (readonly [PathPattern, Resolver])[] = [
  ['services.*.build.context', localPath],
  ['services.*.build.additional_contexts.*', contextPath],
  ['services.*.env_file.*.path', localPath],
  ['services.*.label_file.*', localPath],
  ['services.*.volumes.*', bindSource],
  ['secrets.*.file', localPath],
  ['configs.*.file', localPath],
  ['volumes.*', boundDevice],
];

export function resolvePaths(root: MapNode, baseDir: string, home: string | null = homedir()): void {
  const visit = (n: Node, path: string[]): Node => {
    const rule = findRule(PATH_RULES, path);
    const out = rule ? rule(n, baseDir, home) : n;
    if (out.kind === 'map') for (const [k, e] of out.entries) e.value = visit(e.value, [...path, k]);
    else if (out.kind === 'seq') out.items = out.items.map((item, i) => visit(item, [...path, String(i)]));
    return out;
  };
  visit(root, []);
}
