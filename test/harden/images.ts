import { tarStream, type DockerClient, type TarEntry } from '../../src/docker/index.js';
import { busyboxEntries } from '../helpers/test-image.js';

/**
 * A local image made of busybox-static (`docker import`, nothing pulled) plus the files given
 * (entrypoint scripts), with Dockerfile-like `changes` (CMD, ENTRYPOINT, EXPOSE, USER). The
 * image has root, nobody, /tmp (1777), /www with an index page, and root-owned /var/cache.
 */
export async function importImage(docker: DockerClient, ref: string, files: Record<string, string>, changes: string[]): Promise<void> {
  const dir = (name: string, mode = 0o755): TarEntry => ({ name, type: 'directory', mode });
  const file = (name: string, text: string, mode = 0o644): TarEntry => ({ name, type: 'file', mode, content: Buffer.from(text) });
  const entries: TarEntry[] = [
    ...busyboxEntries(),
    dir('etc'),
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'),
    file('etc/group', 'root:x:0:\nnogroup:x:65534:\n'),
    dir('root', 0o700),
    dir('tmp', 0o1777),
    dir('var'),
    dir('var/cache'),
    dir('www'),
    file('www/index.html', 'hello\n'),
    dir('usr'),
    dir('usr/local'),
    dir('usr/local/bin'),
    ...Object.entries(files).map(([name, text]) => file(name.replace(/^\//, ''), text, 0o755)),
  ];
  const [repo, tag] = ref.split(':') as [string, string];
  await docker.images.import(tarStream(entries), { repo, tag, changes: ['ENV PATH=/usr/local/bin:/bin', ...changes] });
}
