import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createDockerClient,
  DockerAbortError,
  DockerApiError,
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerTimeoutError,
  DockerUnavailableError,
  tarStream,
  type ContainerCreateBody,
  type LogLine,
  type ProgressMessage,
} from '../../src/docker/index.js';
import { ensureTestImage, requireEngine, TEST_IMAGE } from '../helpers/test-image.js';

// Engine tests fail, never skip, without an engine: `npm test` starts one (scripts/test-env.mjs).
const docker = createDockerClient();
const RUN = randomUUID().slice(0, 8);
const TEST_LABEL = 'dev.shipshape.test';
const labels = { [TEST_LABEL]: `client-${RUN}` };

async function container(name: string, body: Partial<ContainerCreateBody>): Promise<string> {
  const { id } = await docker.containers.create(`shipshape-client-${RUN}-${name}`, { Image: TEST_IMAGE, Labels: labels, ...body });
  return id;
}

async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

// The tests share nothing but the image, so they run side by side.
describe('DockerClient against the engine', { concurrency: true }, () => {
  before(async () => {
    await requireEngine(docker);
    await ensureTestImage(docker);
  });

  after(async () => {
    const filters = { label: [`${TEST_LABEL}=client-${RUN}`] };
    for (const c of await docker.containers.list({ all: true, filters })) await docker.containers.remove(c.Id, { force: true });
    for (const n of await docker.networks.list({ filters })) await docker.networks.remove(n.Id);
    for (const v of await docker.volumes.list({ filters })) await docker.volumes.remove(v.Name);
    for (const i of await docker.images.list({ filters })) await docker.images.remove(i.Id, { force: true });
  });

  it('reads the engine version and information', async () => {
    const version = await docker.version();
    assert.match(version.ApiVersion, /^1\.\d+$/);
    const info = await docker.info();
    assert.equal(typeof info.ServerVersion, 'string');
    assert.equal(info.ServerVersion, version.Version);
  });

  it('rejects with typed errors: not found, conflict, unavailable', async () => {
    await assert.rejects(docker.containers.inspect(`no-such-container-${RUN}`), (err: unknown) => {
      assert.ok(err instanceof DockerNotFoundError);
      assert.equal(err.status, 404);
      assert.match(err.message, new RegExp(`^inspect container no-such-container-${RUN}: No such container`));
      return true;
    });
    await container('dup', { Cmd: ['true'] });
    await assert.rejects(container('dup', { Cmd: ['true'] }), (err: unknown) => {
      assert.ok(err instanceof DockerConflictError);
      assert.match(err.message, /is already in use/);
      return true;
    });
    const missing = createDockerClient({ host: `unix:///tmp/shipshape-no-engine-${RUN}.sock` });
    await assert.rejects(missing.ping(), (err: unknown) => {
      assert.ok(err instanceof DockerUnavailableError);
      assert.equal(err.code, 'ENOENT');
      assert.match(err.message, /cannot reach the Docker engine at unix:\/\/\/tmp\/shipshape-no-engine-.*no such socket/);
      return true;
    });
    await assert.rejects(docker.images.pull('shipshape-missing.invalid/nothing:1'), (err: unknown) => {
      assert.ok(err instanceof DockerApiError);
      assert.match(err.message, /^pull image shipshape-missing\.invalid\/nothing:1: /);
      return true;
    });
  });

  it('gives up at its time limit and when its signal fires, promptly', async () => {
    const id = await container('sleeper', { Cmd: ['sleep', '30'], HostConfig: { Init: true } });
    await docker.containers.start(id);
    let started = Date.now();
    await assert.rejects(docker.containers.wait(id, {}, { timeoutMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof DockerTimeoutError);
      assert.equal(err.timeoutMs, 300);
      assert.match(err.message, /no answer from the Docker engine within 300 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
    const controller = new AbortController();
    started = Date.now();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(docker.containers.wait(id, {}, { signal: controller.signal }), DockerAbortError);
    assert.ok(Date.now() - started < 2000);
    await assert.rejects(docker.ping({ signal: controller.signal }), DockerAbortError);
    // The engine is still fine after the aborted requests.
    await docker.containers.kill(id);
    assert.deepEqual(await docker.containers.wait(id), { exitCode: 137 });
  });

  it('demultiplexes logs of a container without a TTY', async () => {
    const id = await container('plain', { Cmd: ['sh', '-c', 'echo out 1; echo err 1 >&2; sleep 0.1; echo out 2; printf "no newline" >&2'] });
    await docker.containers.start(id);
    assert.deepEqual(await docker.containers.wait(id), { exitCode: 0 });
    const lines = await collect(docker.containers.logs(id));
    assert.deepEqual(lines.filter((l) => l.stream === 'stdout').map((l) => l.line), ['out 1', 'out 2']);
    assert.deepEqual(lines.filter((l) => l.stream === 'stderr').map((l) => l.line), ['err 1', 'no newline']);
    assert.deepEqual(await collect(docker.containers.logs(id, { tail: 1 })), [{ stream: 'stderr', line: 'no newline' }]);
  });

  it('passes the logs of a TTY container through raw, all as stdout', async () => {
    const id = await container('tty', { Tty: true, Cmd: ['sh', '-c', 'echo to out; echo to err >&2'] });
    await docker.containers.start(id);
    await docker.containers.wait(id);
    assert.deepEqual(await collect(docker.containers.logs(id)), [
      { stream: 'stdout', line: 'to out' },
      { stream: 'stdout', line: 'to err' },
    ]);
  });

  it('follows logs until the signal fires, then ends quietly', async () => {
    const id = await container('ticker', { Cmd: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done'], HostConfig: { Init: true } });
    await docker.containers.start(id);
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const { line } of docker.containers.logs(id, { follow: true }, { signal: controller.signal })) {
      seen.push(line);
      if (seen.length === 3) controller.abort();
    }
    assert.deepEqual(seen, ['tick 1', 'tick 2', 'tick 3']);
    await docker.containers.stop(id, { timeoutSeconds: 1 });
  });

  it('runs commands with exec and collects their output and exit code', async () => {
    const id = await container('exec', { Cmd: ['sleep', '30'], HostConfig: { Init: true } });
    await docker.containers.start(id);
    const result = await docker.containers.exec(id, ['sh', '-c', 'echo hi $X; echo oops >&2; exit 3'], { env: ['X=there'] });
    assert.deepEqual(result, { exitCode: 3, stdout: 'hi there', stderr: 'oops' });
    const stats = await docker.containers.stats(id);
    assert.equal(typeof stats.memory_stats, 'object');
    const inspected = await docker.containers.inspect(id);
    assert.equal(inspected.State.Running, true);
    await docker.containers.remove(id, { force: true });
    await assert.rejects(docker.containers.inspect(id), DockerNotFoundError);
  });

  it('creates, lists by label and removes networks and volumes', async () => {
    const { id } = await docker.networks.create({ Name: `shipshape-client-${RUN}`, Labels: labels });
    assert.equal((await docker.networks.inspect(id)).Name, `shipshape-client-${RUN}`);
    await assert.rejects(docker.networks.create({ Name: `shipshape-client-${RUN}`, Labels: labels }), DockerConflictError);
    const volume = await docker.volumes.create({ Name: `shipshape-client-${RUN}`, Labels: labels });
    assert.equal(volume.Name, `shipshape-client-${RUN}`);
    const filters = { label: [`${TEST_LABEL}=client-${RUN}`] };
    assert.deepEqual((await docker.networks.list({ filters })).map((n) => n.Name), [`shipshape-client-${RUN}`]);
    assert.deepEqual((await docker.volumes.list({ filters })).map((v) => v.Name), [`shipshape-client-${RUN}`]);
    await docker.networks.remove(id);
    await docker.volumes.remove(volume.Name);
    await assert.rejects(docker.volumes.inspect(volume.Name), DockerNotFoundError);
  });

  it('builds an image from a tar stream with build args and a target, reporting progress', async () => {
    const dockerfile = [
      `FROM ${TEST_IMAGE} AS base`,
      'ARG GREETING',
      'RUN echo "$GREETING" > /greeting',
      'FROM base AS final',
      'RUN echo never > /greeting',
      '',
    ].join('\n');
    const context = tarStream([
      { name: 'build/Dockerfile.test', type: 'file', mode: 0o644, content: Buffer.from(dockerfile) },
    ]);
    const progress: ProgressMessage[] = [];
    const tag = `shipshape-client-${RUN}:built`;
    const built = await docker.images.build(context, {
      tag,
      dockerfile: 'build/Dockerfile.test',
      buildArgs: { GREETING: 'hello from the build' },
      target: 'base',
      labels,
      onProgress: (m) => progress.push(m),
    });
    assert.match(built.id, /^sha256:[0-9a-f]{64}$/);
    assert.ok(progress.some((m) => m.stream?.includes('Step 1/')));
    assert.equal((await docker.images.inspect(tag)).Id, built.id);
    const id = await container('built', { Image: tag, Cmd: ['cat', '/greeting'] });
    await docker.containers.start(id);
    await docker.containers.wait(id);
    assert.deepEqual(await collect(docker.containers.logs(id)), [{ stream: 'stdout', line: 'hello from the build' }]);
  });

  it('reports a failing build step as an error naming the build', async () => {
    const context = tarStream([{ name: 'Dockerfile', type: 'file', mode: 0o644, content: Buffer.from(`FROM ${TEST_IMAGE}\nRUN exit 7\n`) }]);
    await assert.rejects(docker.images.build(context, { tag: `shipshape-client-${RUN}:broken`, labels }), (err: unknown) => {
      assert.ok(err instanceof DockerError);
      assert.match(err.message, new RegExp(`^build image shipshape-client-${RUN}:broken: .*returned a non-zero code: 7`));
      return true;
    });
  });
});
