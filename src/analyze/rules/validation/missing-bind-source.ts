import { basename, isAbsolute } from 'node:path';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { isInside } from '../../../compose/index.js';
import { displayPath, listOf, type RawFinding, type RuleContext } from './shared.js';

/** File names without an extension that are files, not folders. */
const EXTENSIONLESS_FILES = new Set(['.env', '.htpasswd', '.htaccess', 'caddyfile', 'dockerfile', 'makefile', 'procfile', 'gemfile', 'known_hosts', 'authorized_keys']);

function namesFile(path: string): boolean {
  const name = basename(path).toLowerCase();
  if (EXTENSIONLESS_FILES.has(name)) return true;
  // Hidden folders (`.ssh`, `.config`) and `conf.d`-style folders have dots but are directories.
  if (name.startsWith('.') || name.endsWith('.d')) return false;
  return /\.[a-z0-9]{1,8}$/.test(name);
}

/** A source that names a file (`nginx.conf`, `init.sql`), by its own name or by the target it is mounted on. */
function looksLikeFile(source: string, target: string): boolean {
  return namesFile(source) || namesFile(target);
}

/**
 * Whether the source was written relative to the project (`./data`, `../shared`) rather than as a
 * host path: read back at the place the mount was written.
 */
function writtenRelative(ctx: RuleContext, path: (string | number)[]): boolean {
  const at = ctx.load.positionOf(path);
  const text = at?.file ? ctx.readText(at.file) : undefined;
  const line = text?.split(/\r?\n/)[(at?.line ?? 0) - 1];
  if (!at || line === undefined) return false;
  const written = line.slice(at.column - 1).replace(/^(source:\s*)?["']?/, '');
  return written.startsWith('.') || (!written.startsWith('/') && !written.startsWith('~') && !written.startsWith('$') && !/^[a-z]:[\\/]/i.test(written));
}

export default createRule({
  id: 'missing-bind-source',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary: 'A bind mount\'s source path inside the project (or written relative to it) does not exist.',
    why:
      'For a short-syntax bind, Docker creates the missing path as an empty, root-owned directory: a mounted ' +
      'config file such as `./nginx.conf` becomes a directory, and the service fails or runs without its ' +
      'configuration. A long-syntax bind without `create_host_path: true` makes `docker compose up` fail. ' +
      'Absolute host paths outside the project (`/var/run/docker.sock`, `/srv/data`) depend on the host and are not checked. ' +
      'A missing directory that Docker creates (short syntax, a name that is not a file\'s) is usually a data folder made on ' +
      'first start and is reported as `low`; a missing file, or a long-syntax bind that fails, stays critical.',
    fix: 'Create the file or directory (commit it, or generate it before `up`), or correct the path, which is relative to the compose file.',
    example: 'services:\n  proxy:\n    image: nginx:1.27\n    volumes:\n      - ./config/nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n',
  },
  check: (ctx) => {
    const out: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      listOf(service.volumes).forEach((mount, i) => {
        const source = mount.source;
        if (mount.type !== 'bind' || typeof source !== 'string' || !isAbsolute(source) || ctx.exists(source)) return;
        const path = ['services', name, 'volumes', i, 'source'];
        if (!isInside(source, ctx.dir) && !writtenRelative(ctx, path)) return;
        const shown = displayPath(ctx, source);
        const creates = mount.bind?.create_host_path === true;
        const file = looksLikeFile(source, typeof mount.target === 'string' ? mount.target : '');
        const fails = '`docker compose up` fails: bind source path does not exist';
        const consequence = file
          ? creates
            ? `it looks like a file, but Docker will create an empty directory there and mount that on ${mount.target}`
            : `it looks like a file; ${fails}`
          : creates
            ? 'Docker will create it as an empty, root-owned directory'
            : fails;
        out.push({
          path,
          // A data directory Docker creates on first start is how many stacks are meant to run.
          ...(!file && creates ? { severity: 'low' as const } : {}),
          message: `service "${name}" bind-mounts ${shown}, which does not exist; ${consequence}`,
          fix: file
            ? `create the file ${shown} (or correct the path) before starting "${name}"`
            : `create the directory ${shown} (or correct the path), or use a named volume if it only holds data`,
        });
      });
    }
    return out;
  },
});
