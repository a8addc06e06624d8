import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDockerClient, type ContainerSummary } from '../../src/docker/index.js';
import { LABEL } from '../../src/engine/index.js';
import { ensureTestImage, requireEngine, TEST_IMAGE } from '../helpers/test-image.js';
import { writeTree } from '../helpers/tmp.js';

/*
 * The commands compose users type, each run by Shipshape on project A and by docker-compose v1
 * (Debian's 1.29, docs/oracle.md) on project B from the same compose file; their effects must
 * match: container states and labels, exit codes, output, files. v1 names containers
 * `<project>_<service>_<n>` and one-off containers `<project>_<service>_run_<hex>`, where
 * Shipshape uses compose v2's `-`; containers are matched by their labels instead. For what v1
 * lacks (`cp`, `ls`, `wait`) the docker CLI is the counterpart. docs/engine.md lists the commands.
 */

const cli = new URL('../../src/cli/index.js', import.meta.url).href;
const script = `const { main } = await import(${JSON.stringify(cli)}); process.exitCode = await main(process.argv.slice(1));`;
const docker = createDockerClient();
const RUN = randomUUID().slice(0, 6);
const projects: string[] = [];

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function env(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'DOCKER_HOST']) if (process.env[key] !== undefined) vars[key] = process.env[key];
  return vars;
}

/** Runs a program with `input` on stdin (then closed), bounded in time. */
function spawnTool(file: string, args: string[], options: { cwd: string; input?: string; timeoutMs?: number }): Promise<Ran> {
  const child = spawn(file, args, { cwd: options.cwd, env: env() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

interface Pair {
  a: string;
  b: string;
  dir: string;
  /** Shipshape on project A. */
  ours(args: string[], input?: string): Promise<Ran>;
  /** docker-compose v1 on project B. */
  v1(args: string[], input?: string): Promise<Ran>;
}

function pair(id: string, compose: string, files: Record<string, string> = {}): Pair {
  const a = `sscmd${RUN}-${id}-a`;
  const b = `sscmd${RUN}-${id}-b`;
  projects.push(a, b);
  const dir = writeTree({ 'compose.yaml': compose, ...files });
  return {
    a,
    b,
    dir,
    ours: (args, input) => spawnTool(process.execPath, ['--input-type=module', '-e', script, args[0]!, '-p', a, ...args.slice(1)], { cwd: dir, input }),
    v1: (args, input) => spawnTool('docker-compose', ['-p', b, ...args], { cwd: dir, input }),
  };
}

async function containersOf(project: string, service?: string): Promise<ContainerSummary[]> {
  const label = [`${LABEL.project}=${project}`, ...(service ? [`${LABEL.service}=${service}`] : [])];
  return docker.containers.list({ all: true, filters: { label } });
}

/** service → states of its (not one-off) containers, the comparable facts of a project. */
async function states(project: string): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const c of await containersOf(project)) {
    if (c.Labels[LABEL.oneoff] === 'True') continue;
    const inspected = await docker.containers.inspect(c.Id);
    const state = inspected.State.Status === 'exited' ? `exited(${inspected.State.ExitCode})` : inspected.State.Status;
    (result[c.Labels[LABEL.service]!] ??= []).push(state);
  }
  for (const list of Object.values(result)) list.sort();
  return result;
}

async function sameStates(p: Pair, message: string): Promise<Record<string, string[]>> {
  const [a, b] = await Promise.all([states(p.a), states(p.b)]);
  assert.deepEqual(a, b, message);
  return a;
}

function ok(r: Ran, what: string): Ran {
  assert.equal(r.status, 0, `${what} failed (${r.status}):\n${r.stderr}`);
  return r;
}

const STACK = `
services:
  db:
    image: ${TEST_IMAGE}
    init: true
    command: httpd -f -p 80 -h /www
  web:
    image: ${TEST_IMAGE}
    init: true
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1::80"]
    depends_on: [db]
    volumes: ["./data:/data"]
  tools:
    image: ${TEST_IMAGE}
    profiles: [debug]
    command: "true"
volumes:
  cache: {}
`;

async function upBoth(p: Pair): Promise<void> {
  const [a, b] = await Promise.all([p.ours(['up', '-d']), p.v1(['up', '-d'])]);
  ok(a, 'shipshape up');
  ok(b, 'docker-compose up');
  // Signals sent before httpd has started are not the ones a comparison should see.
  const serving = 'for i in $(seq 200); do wget -q -O- http://127.0.0.1/health >/dev/null && exit 0; sleep 0.1; done; exit 1';
  for (const c of [...(await containersOf(p.a)), ...(await containersOf(p.b))]) {
    const result = await docker.containers.exec(c.Id, ['sh', '-c', serving]);
    assert.equal(result.exitCode, 0, `${c.Names[0]} does not serve`);
  }
}

describe('compose commands next to docker-compose v1', { concurrency: true }, () => {
  before(async () => {
    await requireEngine(docker);
    ok(await spawnTool('docker-compose', ['version', '--short'], { cwd: '/' }), 'docker-compose (v1) is missing; `apt-get install docker-compose`');
    await ensureTestImage(docker);
  });

  after(async () => {
    for (const name of projects) {
      for (const c of await containersOf(name)) await docker.containers.remove(c.Id, { force: true, volumes: true }).catch(() => {});
      const filters = { label: [`${LABEL.project}=${name}`] };
      for (const n of await docker.networks.list({ filters })) await docker.networks.remove(n.Id).catch(() => {});
      for (const v of await docker.volumes.list({ filters })) await docker.volumes.remove(v.Name).catch(() => {});
    }
  });

  it('exec: exit codes, -u, -w, -e, stdin and output as v1; unknown services exit 2', async () => {
    const p = pair('exec', STACK);
    await upBoth(p);
    const both = (args: string[], input?: string) => Promise.all([p.ours(['exec', ...args], input), p.v1(['exec', ...args], input)]);

    const [codeA, codeB] = await both(['-T', 'web', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual([codeA.status, codeA.stdout, codeA.stderr], [3, 'out\n', 'err\n']);
    assert.deepEqual([codeB.status, codeB.stdout, codeB.stderr], [3, 'out\n', 'err\n']);

    const [userA, userB] = await both(['-T', '-u', '65534', '-w', '/tmp', '-e', 'FOO=bar', 'web', 'sh', '-c', 'id -u; pwd; echo $FOO']);
    assert.equal(ok(userA, 'exec -u -w -e').stdout, '65534\n/tmp\nbar\n');
    assert.equal(userA.stdout, ok(userB, 'v1 exec -u -w -e').stdout);

    const [catA, catB] = await both(['-T', 'web', 'cat'], 'hello\nworld\n');
    assert.equal(ok(catA, 'exec cat').stdout, 'hello\nworld\n');
    assert.equal(catA.stdout, ok(catB, 'v1 exec cat').stdout);

    // Options after the command belong to the command.
    const passed = await p.ours(['exec', '-T', 'web', 'sh', '-c', 'echo "$@"', 'x', '-u', 'nobody']);
    assert.equal(ok(passed, 'exec with options after the command').stdout, '-u nobody\n');

    const unknown = await p.ours(['exec', '-T', 'nope', 'true']);
    assert.equal(unknown.status, 2);
    assert.equal(unknown.stderr, 'shipshape: no such service: "nope" (the project has: db, tools, web)\n');
    const v1Unknown = await p.v1(['exec', '-T', 'nope', 'true']);
    assert.notEqual(v1Unknown.status, 0);

    const [stoppedA] = await Promise.all([p.ours(['stop', 'web']), p.v1(['stop', 'web'])]);
    ok(stoppedA, 'stop web');
    const notRunning = await p.ours(['exec', '-T', 'web', 'true']);
    assert.equal(notRunning.status, 1);
    assert.equal(notRunning.stderr, 'shipshape: service "web" is not running\n');
    assert.notEqual((await p.v1(['exec', '-T', 'web', 'true'])).status, 0);
  });

  it('run: one-off containers labelled as compose, --rm, --no-deps, -e, -v, --entrypoint, -d, exit codes', async () => {
    const p = pair('run', STACK);
    const both = (args: string[]) => Promise.all([p.ours(['run', ...args]), p.v1(['run', ...args])]);

    // --no-deps: only the one-off container exists afterwards, and --rm removes it.
    const [lonelyA, lonelyB] = await both(['--rm', '--no-deps', '-T', '-e', 'X=1', 'web', 'sh', '-c', 'echo $X; exit 4']);
    assert.deepEqual([lonelyA.status, lonelyA.stdout], [4, '1\n'], lonelyA.stderr);
    assert.deepEqual([lonelyB.status, lonelyB.stdout], [4, '1\n'], lonelyB.stderr);
    assert.deepEqual(await containersOf(p.a), []);
    assert.deepEqual(await containersOf(p.b), []);

    // Without --no-deps the dependencies start; -v and --entrypoint apply; the files land on the host.
    const [mountA, mountB] = await Promise.all([
      p.ours(['run', '--rm', '-T', '-v', './out-a:/out', '--entrypoint', 'sh -c', 'web', 'echo a > /out/file; ls /data']),
      p.v1(['run', '--rm', '-T', '-v', `${p.dir}/out-b:/out`, '--entrypoint', 'sh -c', 'web', 'echo a > /out/file; ls /data']),
    ]);
    ok(mountA, 'run -v --entrypoint');
    ok(mountB, 'v1 run -v --entrypoint');
    assert.equal(readFileSync(join(p.dir, 'out-a', 'file'), 'utf8'), 'a\n');
    assert.equal(readFileSync(join(p.dir, 'out-b', 'file'), 'utf8'), 'a\n');
    assert.deepEqual(await sameStates(p, 'dependencies started by run'), { db: ['running'] });

    // -d: a one-off container that keeps running, with compose's labels and name.
    const [detachedA, detachedB] = await both(['-d', 'web', 'sleep', '300']);
    const nameA = ok(detachedA, 'run -d').stdout.trim();
    ok(detachedB, 'v1 run -d');
    assert.match(nameA, new RegExp(`^${p.a}-web-run-[0-9a-f]{12}$`));
    const oneOffs = async (project: string) => (await containersOf(project, 'web')).filter((c) => c.Labels[LABEL.oneoff] === 'True');
    const [[oneA], [oneB]] = await Promise.all([oneOffs(p.a), oneOffs(p.b)]);
    assert.ok(oneA && oneB, 'each tool left one running one-off container');
    assert.equal(oneA.Names[0], `/${nameA}`);
    assert.match(oneB.Names[0]!, new RegExp(`^/${p.b}_web_run_[0-9a-f]{12}$`));
    for (const c of [oneA, oneB]) {
      assert.equal(c.State, 'running');
      assert.equal(c.Labels[LABEL.oneoff], 'True');
      assert.equal(c.Labels[LABEL.service], 'web');
      assert.equal((c.Ports ?? []).filter((port) => port.PublicPort).length, 0, 'a one-off container publishes no ports');
    }
    assert.equal(oneA.Labels[LABEL.slug]?.slice(0, 12), nameA.slice(-12));
    // `ps` lists no one-off containers, as compose.
    const listed = JSON.parse(ok(await p.ours(['ps', '--format', 'json']), 'ps').stdout) as { Name: string }[];
    assert.deepEqual(listed.map((c) => c.Name), [`${p.a}-db-1`]);
  });

  it('stop, start, kill -s, pause, unpause and rm -s -v -f leave the same states as v1', async () => {
    const p = pair('life', STACK);
    await upBoth(p);
    const both = async (args: string[], what: string) => {
      const [a, b] = await Promise.all([p.ours(args), p.v1(args)]);
      ok(a, `shipshape ${what}`);
      ok(b, `docker-compose ${what}`);
    };
    await both(['stop', 'web'], 'stop web');
    assert.deepEqual(await sameStates(p, 'after stop web'), { db: ['running'], web: ['exited(143)'] });
    await both(['start'], 'start');
    assert.deepEqual(await sameStates(p, 'after start'), { db: ['running'], web: ['running'] });
    await both(['pause'], 'pause');
    assert.deepEqual(await sameStates(p, 'after pause'), { db: ['paused'], web: ['paused'] });
    await both(['unpause', 'db'], 'unpause db');
    assert.deepEqual(await sameStates(p, 'after unpause db'), { db: ['running'], web: ['paused'] });
    await both(['unpause'], 'unpause');
    await both(['kill', '-s', 'SIGKILL', 'web'], 'kill -s SIGKILL web');
    assert.deepEqual(await sameStates(p, 'after kill'), { db: ['running'], web: ['exited(137)'] });
    await both(['kill', 'db'], 'kill');
    assert.deepEqual(await sameStates(p, 'after kill'), { db: ['exited(137)'], web: ['exited(137)'] });
    await both(['start', 'db'], 'start db');
    const [rmA, rmB] = await Promise.all([p.ours(['rm', '-f', 'web']), p.v1(['rm', '-f', 'web'])]);
    ok(rmA, 'rm -f web');
    ok(rmB, 'v1 rm -f web');
    assert.deepEqual(await sameStates(p, 'after rm web'), { db: ['running'] });
    // Without -f and without a terminal, Shipshape refuses and removes nothing.
    const refused = await p.ours(['rm', '-s', 'db']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /confirm with -f/);
    await both(['rm', '-f', '-s', '-v'], 'rm -f -s -v');
    assert.deepEqual(await sameStates(p, 'after rm -s'), {});
    const unknown = await p.ours(['stop', 'nope']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no such service: "nope" \(the project has: db, tools, web\)/);
  });

  it('top, port, images and events show what v1 shows', async () => {
    const p = pair('look', STACK);
    await upBoth(p);
    const [topA, topB] = await Promise.all([p.ours(['top', 'web']), p.v1(['top', 'web'])]);
    const commands = (out: string) => out.split('\n').filter((l) => /httpd -f -p 80/.test(l)).map((l) => l.trim().split(/\s+/).slice(-6).join(' '));
    assert.ok(ok(topA, 'top').stdout.startsWith(`${p.a}-web-1\nUID`), topA.stdout);
    assert.deepEqual(commands(topA.stdout), commands(ok(topB, 'v1 top').stdout));
    // httpd, and docker-init in front of it (`init: true`).
    assert.equal(commands(topA.stdout).length, 2);

    const [portA, portB] = await Promise.all([p.ours(['port', 'web', '80']), p.v1(['port', 'web', '80'])]);
    const [webA] = await containersOf(p.a, 'web');
    const published = webA!.Ports.find((x) => x.PrivatePort === 80)!;
    assert.equal(ok(portA, 'port').stdout, `127.0.0.1:${published.PublicPort}\n`);
    assert.match(ok(portB, 'v1 port').stdout, /^127\.0\.0\.1:\d+\n$/);
    const unpublished = await p.ours(['port', 'db', '80']);
    assert.equal(unpublished.status, 1);
    assert.match(unpublished.stderr, /no port 80\/tcp is published for container/);

    const [imagesA, imagesB] = await Promise.all([p.ours(['images', '--format', 'json']), p.v1(['images'])]);
    const json = JSON.parse(ok(imagesA, 'images').stdout) as { ContainerName: string; Repository: string; Tag: string; ID: string }[];
    assert.deepEqual(
      json.map((i) => [i.ContainerName.replace(p.a, 'P').replace(/-/g, '_'), i.Repository, i.Tag, i.ID.slice(7, 19)]).sort(),
      ok(imagesB, 'v1 images')
        .stdout.trim()
        .split('\n')
        .slice(2)
        .map((line) => line.trim().split(/\s+/).slice(0, 4))
        .map(([name, repo, tag, id]) => [name!.replace(p.b, 'P'), repo, tag, id])
        .sort(),
    );

    // Events: both see the same engine events of a restart, in the same JSON shape.
    const watch = (tool: 'ours' | 'v1') => {
      const args = tool === 'ours' ? ['--input-type=module', '-e', script, 'events', '-p', p.a, '--json'] : ['-p', p.b, 'events', '--json'];
      const child = spawn(tool === 'ours' ? process.execPath : 'docker-compose', args, { cwd: p.dir, env: env() });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      return { child, lines: () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
    };
    const [evA, evB] = [watch('ours'), watch('v1')];
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await Promise.all([p.ours(['restart', 'web']), p.v1(['restart', 'web'])]);
    const deadline = Date.now() + 20_000;
    const actions = (e: { lines: () => Record<string, unknown>[] }) =>
      e.lines().filter((l) => !String(l['action']).startsWith('exec_')).map((l) => String(l['action']));
    while (Date.now() < deadline && !(actions(evA).includes('start') && actions(evB).includes('start'))) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    evA.child.kill('SIGINT');
    evB.child.kill('SIGINT');
    assert.deepEqual(actions(evA), actions(evB));
    assert.ok(actions(evA).includes('die') && actions(evA).includes('start'), actions(evA).join(','));
    const [first] = evA.lines();
    const [firstB] = evB.lines();
    assert.deepEqual(Object.keys(first!).sort(), Object.keys(firstB!).sort());
    assert.equal(first!['service'], 'web');
    assert.equal((first!['attributes'] as Record<string, string>)['name'], `${p.a}-web-1`);
  });

  it('cp copies files and folders both ways as docker cp does; ls and wait report as the docker CLI', async () => {
    const p = pair('cp', STACK, { 'src/a.txt': 'a\n', 'src/sub/b.txt': 'b\n' });
    symlinkSync('a.txt', join(p.dir, 'src', 'link'));
    await upBoth(p);
    const [webB] = await containersOf(p.b, 'web');
    const dockerCli = (args: string[]) => spawnTool('docker', args, { cwd: p.dir });

    ok(await p.ours(['cp', 'src', 'web:/tmp/']), 'cp into an existing directory');
    ok(await dockerCli(['cp', 'src', `${webB!.Id}:/tmp/`]), 'docker cp in');
    ok(await p.ours(['cp', 'src/a.txt', 'web:/tmp/renamed.txt']), 'cp to a new name');
    ok(await dockerCli(['cp', 'src/a.txt', `${webB!.Id}:/tmp/renamed.txt`]), 'docker cp to a new name');
    const listing = 'cd /tmp && find src renamed.txt | sort && cat src/sub/b.txt renamed.txt && readlink src/link';
    const [inA, inB] = await Promise.all([p.ours(['exec', '-T', 'web', 'sh', '-c', listing]), p.v1(['exec', '-T', 'web', 'sh', '-c', listing])]);
    assert.equal(ok(inA, 'listing').stdout, ok(inB, 'v1 listing').stdout);
    assert.equal(inA.stdout, 'renamed.txt\nsrc\nsrc/a.txt\nsrc/link\nsrc/sub\nsrc/sub/b.txt\nb\na\na.txt\n');

    mkdirSync(join(p.dir, 'back-a'));
    mkdirSync(join(p.dir, 'back-b'));
    ok(await p.ours(['cp', 'web:/tmp/src', 'back-a']), 'cp out into a directory');
    ok(await dockerCli(['cp', `${webB!.Id}:/tmp/src`, 'back-b']), 'docker cp out');
    ok(await p.ours(['cp', 'web:/tmp/renamed.txt', 'out-a.txt']), 'cp out to a new name');
    ok(await dockerCli(['cp', `${webB!.Id}:/tmp/renamed.txt`, 'out-b.txt']), 'docker cp out to a new name');
    for (const side of ['a', 'b']) {
      assert.equal(readFileSync(join(p.dir, `back-${side}`, 'src', 'sub', 'b.txt'), 'utf8'), 'b\n');
      assert.equal(readlinkSync(join(p.dir, `back-${side}`, 'src', 'link')), 'a.txt');
      assert.equal(readFileSync(join(p.dir, `out-${side}.txt`), 'utf8'), 'a\n');
    }
    const missing = await p.ours(['cp', 'web:/nonexistent', 'x']);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, 'shipshape: no such file or directory in the container: /nonexistent\n');
    assert.equal(existsSync(join(p.dir, 'x')), false);

    const listedProjects = await spawnTool(process.execPath, ['--input-type=module', '-e', script, 'ls', '--format', 'json', '-a'], { cwd: p.dir });
    const ls = JSON.parse(ok(listedProjects, 'ls').stdout) as { Name: string; Status: string; ConfigFiles: string }[];
    assert.deepEqual(ls.find((x) => x.Name === p.a), { Name: p.a, Status: 'running(2)', ConfigFiles: join(p.dir, 'compose.yaml') });
    // v1's containers carry the project label too, so they are a project of this engine as well.
    assert.equal(ls.find((x) => x.Name === p.b)?.Status, 'running(2)');

    // wait: blocks until the service stops and exits with its code, as `docker wait` reports it.
    const waiting = p.ours(['wait', 'web']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const waitingB = dockerCli(['wait', webB!.Id]);
    await Promise.all([p.ours(['kill', 'web']), p.v1(['kill', 'web'])]);
    const [waited, waitedB] = await Promise.all([waiting, waitingB]);
    assert.equal(waited.status, 137, waited.stderr);
    assert.equal(ok(waitedB, 'docker wait').stdout, '137\n');
  });

  it('build builds through the engine as v1 does, run uses the built image, config lists as v1, up --wait waits for health', async () => {
    const compose = `
services:
  app:
    build: ./app
    init: true
    command: sleep 300
  api:
    image: ${TEST_IMAGE}
    init: true
    command: httpd -f -p 80 -h /www
    healthcheck: {test: "wget -q -O- http://127.0.0.1/health", interval: 300ms, retries: 50}
    profiles: [server]
  sick:
    image: ${TEST_IMAGE}
    init: true
    command: httpd -f -p 80 -h /www
    healthcheck: {test: "exit 1", interval: 200ms, retries: 2}
    profiles: [sick]
`;
    const p = pair('build', compose, { 'app/Dockerfile': `FROM ${TEST_IMAGE}\nRUN echo built > /built\n` });
    const [builtA, builtB] = await Promise.all([p.ours(['build']), p.v1(['build'])]);
    ok(builtA, 'build');
    ok(builtB, 'v1 build');
    assert.match(builtA.stderr, new RegExp(`Image ${p.a}-app  Built`));
    const [runA, runB] = await Promise.all([p.ours(['run', '--rm', '-T', 'app', 'sh', '-c', 'cat /built; exit 5']), p.v1(['run', '--rm', '-T', 'app', 'sh', '-c', 'cat /built; exit 5'])]);
    assert.deepEqual([runA.status, runA.stdout], [5, 'built\n'], runA.stderr);
    assert.deepEqual([runB.status, runB.stdout], [5, 'built\n'], runB.stderr);
    const [imageA, imageB] = await Promise.all([docker.images.inspect(`${p.a}-app`), docker.images.inspect(`${p.b}_app`)]);
    assert.deepEqual(imageA.Config.Cmd, imageB.Config.Cmd);

    const [profilesA, profilesB] = await Promise.all([p.ours(['config', '--profiles']), p.v1(['config', '--profiles'])]);
    assert.equal(ok(profilesA, 'config --profiles').stdout, ok(profilesB, 'v1 config --profiles').stdout);
    // v1's `config` ignores profiles (docs/oracle.md): it lists what compose lists with all of them active.
    const [servicesA, servicesB] = await Promise.all([p.ours(['config', '--services', '--profile', 'server', '--profile', 'sick']), p.v1(['config', '--services'])]);
    assert.equal(ok(servicesA, 'config --services').stdout, ok(servicesB, 'v1 config --services').stdout);
    const [hashA, hashB] = await Promise.all([p.ours(['config', '--hash', '*']), p.v1(['config', '--hash', '*'])]);
    const names = (out: string) => out.trim().split('\n').map((l) => l.split(' ')[0]);
    assert.deepEqual(names(ok(hashA, 'config --hash').stdout), names(ok(hashB, 'v1 config --hash').stdout));
    assert.match(hashA.stdout, /^app [0-9a-f]{64}\n$/);

    const ready = await p.ours(['up', '--wait', '--profile', 'server']);
    assert.equal(ready.status, 0, ready.stderr);
    assert.match(ready.stderr, new RegExp(`Container ${p.a}-api-1  Healthy`));
    const sick = await p.ours(['up', '--wait', '--profile', 'sick', '--wait-timeout', '60']);
    assert.equal(sick.status, 1, sick.stderr);
    assert.match(sick.stderr, /service "sick" is unhealthy/);
    assert.deepEqual((await states(p.a))['api'], ['running']);
  });
});

