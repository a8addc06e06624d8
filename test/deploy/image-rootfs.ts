import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import type { TarEntry } from '../../src/docker/index.js';

/**
 * The root filesystem deploy/Dockerfile's final stage makes, assembled from this machine because
 * no base image can be pulled here: the Node binary and the shared libraries it and the SQLite
 * driver load (as the distroless base has them, at /nodejs/bin/node), the built app with its
 * production dependencies under /app (owned by root), the unprivileged user 65532, and the
 * folders a volume takes its owner from. docs/deploy.md, "How the image is tested".
 */
export const APP_USER = 65532;

export function imageRootfs(repoRoot: string): TarEntry[] {
  const entries = new Map<string, TarEntry>();
  const dir = (name: string, mode = 0o755, uid = 0) => {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!entries.has(parent)) entries.set(parent, { name: parent, type: 'directory', mode: 0o755 });
    }
    entries.set(name, { name, type: 'directory', mode, uid, gid: uid });
  };
  const file = (name: string, source: string, mode?: number) => {
    dir(posix.dirname(name));
    const stat = statSync(source);
    entries.set(name, { name, type: 'file', mode: mode ?? stat.mode & 0o755, content: { path: source, size: stat.size } });
  };
  const text = (name: string, content: string) => {
    dir(posix.dirname(name));
    entries.set(name, { name, type: 'file', mode: 0o644, content: Buffer.from(content) });
  };

  const node = realpathSync(process.execPath);
  file('nodejs/bin/node', node, 0o755);
  const packages = productionPackages(repoRoot);
  // Node and the native addons the app loads (SQLite, argon2): the libraries each needs.
  const addons = packages.flatMap((dir) => nativeAddons(dir));
  for (const library of sharedLibraries([node, ...addons])) file(library.slice(1), realpathSync(library), 0o755);

  text('etc/passwd', `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${APP_USER}:${APP_USER}:nonroot:/home/nonroot:/sbin/nologin\n`);
  text('etc/group', `root:x:0:\nnonroot:x:${APP_USER}:\n`);
  dir('root', 0o700);
  dir('home/nonroot', 0o700, APP_USER);
  dir('tmp', 0o1777);
  dir('data', 0o700, APP_USER);
  dir('secrets', 0o700, APP_USER);
  dir('backups', 0o700, APP_USER);
  dir('var/lib/shipshape/agent', 0o700, APP_USER);

  file('app/package.json', join(repoRoot, 'package.json'), 0o644);
  addTree(entries, dir, join(repoRoot, 'bin'), 'app/bin');
  addTree(entries, dir, join(repoRoot, 'dist', 'src'), 'app/dist/src');
  for (const name of readdirSync(join(repoRoot, 'dist'))) {
    if (/^shipshape[\w-]*\.cjs(\.cache)?$/.test(name)) file(`app/dist/${name}`, join(repoRoot, 'dist', name), 0o644);
  }
  for (const packageDir of packages) {
    addTree(entries, dir, packageDir, `app/${relative(repoRoot, packageDir).split('\\').join('/')}`, (name) => name !== 'node_modules');
  }
  return [...entries.values()];
}

/** What `npm prune --omit=dev` keeps: the production dependency tree. */
function productionPackages(repoRoot: string): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== repoRoot && line.includes(`${join('/', 'node_modules')}`));
}

function nativeAddons(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) found.push(...nativeAddons(path));
    else if (stat.isFile() && name.endsWith('.node')) found.push(path);
  }
  return found;
}

/** The libraries `ldd` says the binaries load, the dynamic loader included. */
function sharedLibraries(binaries: string[]): string[] {
  const found = new Set<string>();
  for (const binary of binaries) {
    for (const line of execFileSync('ldd', [binary], { encoding: 'utf8' }).split('\n')) {
      const path = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
      if (path) found.add(path);
    }
  }
  return [...found];
}

function addTree(
  entries: Map<string, TarEntry>,
  dir: (name: string, mode?: number) => void,
  source: string,
  target: string,
  keep: (name: string) => boolean = () => true,
): void {
  dir(target);
  for (const name of readdirSync(source)) {
    if (!keep(name) || name === '.bin') continue;
    const path = join(source, name);
    const to = `${target}/${name}`;
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) entries.set(to, { name: to, type: 'symlink', mode: 0o777, linkname: readlinkSync(path) });
    else if (stat.isDirectory()) addTree(entries, dir, path, to);
    else if (stat.isFile()) entries.set(to, { name: to, type: 'file', mode: stat.mode & 0o755 ? 0o755 : 0o644, content: { path, size: stat.size } });
  }
}

/** The final stage of deploy/Dockerfile: what `docker import --change` and a container's create take from it. */
export interface FinalStage {
  from: string;
  instructions: string[];
  user: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: { test: string[]; options: Record<string, string> };
}

export function finalStage(dockerfile: string): FinalStage {
  const lines = readFileSync(dockerfile, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const start = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0).pop()!;
  const stage = lines.slice(start);
  const instruction = (name: string) => stage.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length).trim());
  const env: Record<string, string> = {};
  for (const line of instruction('ENV')) for (const [, k, v] of line.matchAll(/(\w+)=(\S+)/g)) env[k!] = v!;
  const health = instruction('HEALTHCHECK')[0] ?? '';
  const options = Object.fromEntries([...health.matchAll(/--([a-z-]+)=(\S+)/g)].map(([, k, v]) => [k!, v!]));
  return {
    from: stage[0]!.split(/\s+/)[1]!,
    instructions: stage.map((l) => l.split(/\s+/)[0]!.toUpperCase()),
    user: instruction('USER')[0] ?? '',
    env,
    entrypoint: JSON.parse(instruction('ENTRYPOINT')[0] ?? '[]') as string[],
    cmd: JSON.parse(instruction('CMD')[0] ?? '[]') as string[],
    healthcheck: { test: ['CMD', ...(JSON.parse(/CMD\s+(\[.*\])/.exec(health)?.[1] ?? '[]') as string[])], options },
  };
}
