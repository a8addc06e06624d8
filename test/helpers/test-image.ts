import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createDockerClient, DockerNotFoundError, tarStream, type DockerClient, type TarEntry } from '../../src/docker/index.js';

/**
 * The image engine tests run: busybox-static's binary with a link per applet, `docker import`ed,
 * because nothing can be pulled here. `httpd -f -p 80 -h /www` serves `/www/health`; `wget -q -O-
 * http://127.0.0.1/health` inside the container makes a health check.
 */
export const TEST_IMAGE = 'shipshape-test/busybox:engine';

const BUSYBOX = '/bin/busybox';

let ready: Promise<string> | undefined;
const readyOn = new WeakMap<DockerClient, Promise<string>>();

/** Fails loudly, never skips, when no Docker engine answers: `npm test` starts one. */
export async function requireEngine(docker: DockerClient): Promise<void> {
  await docker.ping({ timeoutMs: 5000 }).catch((err: unknown) => {
    throw new Error(`no Docker engine answers (${(err as Error).message}); run the tests through \`npm test\`, which starts one`);
  });
}

/**
 * Imports the test image once per process, if the engine does not have it yet; returns its ID.
 * Without a client, on the default engine; with one, on that client's engine (a test's private one).
 */
export function ensureTestImage(docker?: DockerClient): Promise<string> {
  if (!docker) return (ready ??= importImage(createDockerClient()));
  let imported = readyOn.get(docker);
  if (!imported) {
    imported = importImage(docker);
    readyOn.set(docker, imported);
  }
  return imported;
}

async function importImage(docker: DockerClient): Promise<string> {
  try {
    return (await docker.images.inspect(TEST_IMAGE)).Id;
  } catch (err) {
    if (!(err instanceof DockerNotFoundError)) throw err;
  }
  const entries: TarEntry[] = [
    ...baseRoot(),
    tarDir('www'),
    tarFile('www/health', 'ok\n'),
    tarFile('www/index.html', 'hello from shipshape\n'),
  ];
  const { id } = await docker.images.import(tarStream(entries), {
    repo: TEST_IMAGE.split(':')[0]!,
    tag: TEST_IMAGE.split(':')[1]!,
    changes: ['ENV PATH=/bin', 'CMD ["sh"]'],
  });
  return id;
}

/** A file entry of an image's layer, from text or bytes. */
export function tarFile(name: string, content: string | Buffer, mode = 0o644): TarEntry {
  return { name, type: 'file', mode, content: Buffer.isBuffer(content) ? content : Buffer.from(content) };
}

/** A directory entry of an image's layer. */
export function tarDir(name: string, mode = 0o755): TarEntry {
  return { name, type: 'directory', mode };
}

/** The smallest root file system the tests run: busybox, users root and nobody, /root and /tmp (1777). */
export function baseRoot(): TarEntry[] {
  return [
    ...busyboxEntries(),
    tarDir('etc'),
    tarFile('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'),
    tarFile('etc/group', 'root:x:0:\nnogroup:x:65534:\n'),
    tarDir('root', 0o700),
    tarDir('tmp', 0o1777),
  ];
}

/**
 * `/bin` of a root file system made of busybox-static: its binary and a link per applet, the base
 * of every image the tests assemble (nothing can be pulled).
 */
export function busyboxEntries(): TarEntry[] {
  if (!existsSync(BUSYBOX)) {
    throw new Error(`${BUSYBOX} is missing; the engine tests need busybox-static (\`apt-get install busybox-static\`, which \`npm test\` does as root)`);
  }
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  return [
    { name: 'bin', type: 'directory', mode: 0o755 },
    { name: 'bin/busybox', type: 'file', mode: 0o755, content: { path: BUSYBOX, size: statSync(BUSYBOX).size } },
    ...applets.map((a): TarEntry => ({ name: `bin/${a}`, type: 'symlink', mode: 0o777, linkname: 'busybox' })),
  ];
}
