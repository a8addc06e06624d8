import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { DockerNotFoundError, type DockerClient } from '../docker/index.js';
import type { ImageInfo } from './types.js';

/** Containers harden creates carry this label, so that they can be told apart and removed. */
export const HARDEN_LABEL = 'dev.shipshape.harden';

const BIN_DIRS = ['/bin', '/usr/bin', '/usr/local/bin', '/sbin', '/usr/sbin'];
const TOOLS = ['sh', 'wget', 'curl', 'nc'] as const;
const MAX_SCRIPT = 256 * 1024;
const DROPS = /\b(gosu|su-exec|setuidgid|s6-setuidgid|runuser|setpriv)\b|\bchpst\s+-u\b|\bsu\s+(-[a-z]+\s+\S+\s+)*-?\s*\w[\w-]*\s+-c\b|\bsu\s+-s\b/;

/**
 * What a local image is, read from the engine without running it: `GET /images/{ref}/json`, and
 * files copied out of a container created (never started) from it: /etc/passwd for an
 * unprivileged user, the entrypoint script (does it switch users, which `<VAR>_FILE` does it
 * read), and which probe programs exist. The container is removed again. Undefined when the
 * image is not on the engine (nothing is ever pulled).
 */
export async function inspectLocalImage(docker: DockerClient, ref: string, signal?: AbortSignal): Promise<Partial<ImageInfo> | undefined> {
  let image;
  try {
    image = await docker.images.inspect(ref, { signal });
  } catch (err) {
    if (err instanceof DockerNotFoundError) return undefined;
    throw err;
  }
  const config = image.Config ?? ({} as typeof image.Config);
  const user = (config.User ?? '').trim();
  const health = config.Healthcheck?.Test;
  const info: Partial<ImageInfo> = {
    user: { name: user || 'root', root: user === '' || /^(root|0)(:|$)/.test(user) },
    exposedPorts: Object.keys(config.ExposedPorts ?? {}).map((p) => Number.parseInt(p, 10)).filter((n) => Number.isInteger(n)),
    ...(health ? { healthcheck: health[0] !== 'NONE' } : { healthcheck: false }),
  };
  const { id } = await docker.containers.create(undefined, { Image: ref, Entrypoint: ['/'], Cmd: [], Labels: { [HARDEN_LABEL]: 'probe' } }, { signal });
  try {
    const tools: ImageInfo['tools'] = {};
    for (const tool of TOOLS) tools[tool] = await anyExists(docker, id, BIN_DIRS.map((d) => `${d}/${tool}`), signal);
    info.tools = tools;
    const passwd = await readFile(docker, id, '/etc/passwd', signal);
    info.unprivilegedUser = unprivileged(passwd);
    const script = await entrypointText(docker, id, [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])], signal);
    info.dropsPrivileges = DROPS.test(script);
    info.fileVariables = fileVariables(script);
  } finally {
    await docker.containers.remove(id, { force: true }, { signal }).catch(() => undefined);
  }
  return info;
}

/** `nobody` when the image has it, else the first unprivileged account, as `uid:gid`. */
export function unprivileged(passwd: string | undefined): string | undefined {
  const accounts = (passwd ?? '')
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2]!) && f[2] !== '0');
  const pick = accounts.find((f) => f[0] === 'nobody') ?? accounts.find((f) => Number(f[2]) >= 1000);
  return pick ? `${pick[2]}:${pick[3]}` : undefined;
}

/** `file_env VAR` (the docker-library helper) or `${VAR}_FILE`-style code reads any variable; else the `NAME_FILE` it names. */
export function fileVariables(script: string): ImageInfo['fileVariables'] {
  if (/\bfile_env\b|\$\{[a-z_]\w*\}_FILE\b/.test(script)) return 'all';
  return new Set([...script.matchAll(/\b([A-Z][A-Z0-9_]*)_FILE\b/g)].map((m) => m[1]!));
}

/** The text of the entrypoint: an inline `sh -c` script, or the script file it runs (a binary reads as empty). */
async function entrypointText(docker: DockerClient, id: string, argv: string[], signal?: AbortSignal): Promise<string> {
  const inline = argv.findIndex((a) => a === '-c');
  const texts: string[] = inline > 0 && argv[inline + 1] ? [argv[inline + 1]!] : [];
  for (const word of argv.slice(0, 2)) {
    const paths = word.startsWith('/') ? [word] : /^[\w.-]+$/.test(word) ? BIN_DIRS.map((d) => `${d}/${word}`) : [];
    for (const path of paths) {
      const text = await readFile(docker, id, path, signal);
      if (text !== undefined && !text.includes('\0')) texts.push(text);
    }
  }
  return texts.join('\n');
}

async function anyExists(docker: DockerClient, id: string, paths: string[], signal?: AbortSignal): Promise<boolean> {
  for (const path of paths) {
    try {
      (await docker.containers.getArchive(id, path, { signal })).destroy();
      return true;
    } catch (err) {
      if (!(err instanceof DockerNotFoundError)) throw err;
    }
  }
  return false;
}

/** A regular file's text (links followed by the engine only at the top); undefined when missing or too big. */
async function readFile(docker: DockerClient, id: string, path: string, signal?: AbortSignal): Promise<string | undefined> {
  let archive: Readable;
  try {
    archive = await docker.containers.getArchive(id, path, { signal });
  } catch (err) {
    if (err instanceof DockerNotFoundError) return undefined;
    throw err;
  }
  const unpack = extract();
  let text: string | undefined;
  const consuming = (async () => {
    for await (const entry of unpack) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size <= MAX_SCRIPT) chunks.push(chunk);
      }
      if (text === undefined && entry.header.type === 'file' && size <= MAX_SCRIPT) text = Buffer.concat(chunks).toString('utf8');
    }
  })();
  await Promise.all([pipeline(archive, unpack), consuming]).catch(() => undefined);
  return text;
}
