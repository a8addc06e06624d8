import { tarStream, type DockerClient, type TarEntry } from '../../src/docker/index.js';
import { baseRoot, tarDir as dir, tarFile as file } from '../helpers/test-image.js';

/**
 * A local image made of busybox-static (`docker import`, nothing pulled) plus the files given
 * (entrypoint scripts), with Dockerfile-like `changes` (CMD, ENTRYPOINT, EXPOSE, USER). The
 * image has root, nobody, /tmp (1777), /www with an index page, and root-owned /var/cache.
 */
export async function importImage(docker: DockerClient, ref: string, files: Record<string, string>, changes: string[]): Promise<void> {
  const entries: TarEntry[] = [
    ...baseRoot(),
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
