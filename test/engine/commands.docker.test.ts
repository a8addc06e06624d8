import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createDockerClient, tarStream } from '../../src/docker/index.js';
import { copyFromContainer, down, EngineError, execInService, LABEL, runOneOff, serviceContainer, up, type StdioStreams } from '../../src/engine/index.js';
import { ensureTestImage, requireEngine, TEST_IMAGE } from '../helpers/test-image.js';
import { writeTree } from '../helpers/tmp.js';
import { load } from './helpers.js';

/*
 * exec and run through the library, where the CLI tests cannot reach: with a TTY (no terminal is
 * needed for the engine to allocate one), the terminal size, and stdin fed to a one-off container.
 */

const docker = createDockerClient();
const NAME = `sscmdlib${randomUUID().slice(0, 6)}`;
const { project } = load(`services:\n  app:\n    image: ${TEST_IMAGE}\n    init: true\n    command: httpd -f -p 80 -h /www\n`, NAME);

function capture(terminal?: StdioStreams['terminal']): { io: StdioStreams; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr, ...(terminal ? { terminal } : {}) }, out: () => out, err: () => err };
}

describe('exec and run with a TTY and stdin', { concurrency: true }, () => {
  before(async () => {
    await requireEngine(docker);
    await ensureTestImage(docker);
    await up(project, { docker });
  });

  after(async () => {
    const oneOffs = await docker.containers.list({ all: true, filters: { label: [`${LABEL.project}=${NAME}`, `${LABEL.oneoff}=True`] } });
    for (const c of oneOffs) await docker.containers.remove(c.Id, { force: true });
    await down(project, { docker, removeVolumes: true });
  });

  it('exec with a TTY: one stream, a terminal, the exit code', async () => {
    const resized: (() => void)[] = [];
    const { io, out } = capture({ size: () => ({ rows: 40, columns: 100 }), onResize: (l) => (resized.push(l), () => {}) });
    const code = await execInService({ docker, projectName: NAME, service: 'app', command: ['sh', '-c', 'tty; echo out; echo err >&2; exit 5'], tty: true, io });
    assert.equal(code, 5);
    // A TTY merges stderr into the one stream and ends lines with \r\n.
    assert.equal(out(), '/dev/pts/0\r\nout\r\nerr\r\n');
    assert.equal(resized.length, 1, 'the exec follows the terminal’s size changes');
  });

  it('exec without a TTY keeps stdout and stderr apart and reads stdin to its end', async () => {
    const { io, out, err } = capture();
    const code = await execInService({
      docker,
      projectName: NAME,
      service: 'app',
      command: ['sh', '-c', 'cat; echo done >&2; exit 4'],
      tty: false,
      io: { ...io, stdin: Readable.from([Buffer.from('line 1\n'), Buffer.from('line 2\n')]) },
    });
    assert.deepEqual([code, out(), err()], [4, 'line 1\nline 2\n', 'done\n']);
  });

  it('run: stdin reaches the one-off container, the exit code comes back, --rm removes it', async () => {
    const { io, out } = capture();
    const result = await runOneOff(project, {
      docker,
      service: 'app',
      command: ['sh', '-c', 'tr a-z A-Z; exit 6'],
      tty: false,
      interactive: true,
      remove: true,
      io: { ...io, stdin: Readable.from([Buffer.from('shout\n')]) },
    });
    assert.deepEqual([result.exitCode, out()], [6, 'SHOUT\n']);
    assert.match(result.container, new RegExp(`^${NAME}-app-run-[0-9a-f]{12}$`));
    const left = await docker.containers.list({ all: true, filters: { name: [result.container] } });
    assert.deepEqual(left, []);
  });

  it('run with a TTY', async () => {
    const { io, out } = capture({ size: () => ({ rows: 24, columns: 80 }), onResize: () => () => {} });
    const result = await runOneOff(project, { docker, service: 'app', command: ['sh', '-c', 'tty; exit 7'], tty: true, interactive: false, remove: true, io });
    assert.equal(result.exitCode, 7);
    assert.equal(out(), '/dev/pts/0\r\n');
  });

  it('cp out never writes through a link on this machine', async () => {
    const { id } = await serviceContainer(docker, NAME, 'app');
    await docker.containers.putArchive(
      id,
      '/tmp',
      tarStream([
        { name: 'h', type: 'directory', mode: 0o755 },
        { name: 'h/f', type: 'file', mode: 0o644, content: Buffer.from('from the container\n') },
        { name: 'h/d', type: 'directory', mode: 0o755 },
        { name: 'h/d/x', type: 'file', mode: 0o644, content: Buffer.from('x\n') },
      ]),
    );
    const host = writeTree({ 'outside.txt': 'untouched\n' });
    mkdirSync(join(host, 'outside-dir'));
    mkdirSync(join(host, 'dest', 'h'), { recursive: true });
    symlinkSync(join(host, 'outside.txt'), join(host, 'dest', 'h', 'f'));
    // A link where a file comes is replaced, not written through.
    await copyFromContainer(docker, id, '/tmp/h', join(host, 'dest'));
    assert.equal(readFileSync(join(host, 'outside.txt'), 'utf8'), 'untouched\n');
    assert.equal(lstatSync(join(host, 'dest', 'h', 'f')).isFile(), true);
    assert.equal(readFileSync(join(host, 'dest', 'h', 'f'), 'utf8'), 'from the container\n');
    // A folder reached through a link is refused.
    rmSync(join(host, 'dest', 'h', 'd'), { recursive: true });
    symlinkSync(join(host, 'outside-dir'), join(host, 'dest', 'h', 'd'));
    await assert.rejects(
      copyFromContainer(docker, id, '/tmp/h', join(host, 'dest')),
      (err: unknown) => err instanceof EngineError && /refused to write h\/d\/? through the link h\/d/.test(err.message),
    );
    assert.equal(lstatSync(join(host, 'outside-dir', 'x'), { throwIfNoEntry: false }), undefined);
  });
});
