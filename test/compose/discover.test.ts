import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defaultServiceProbe,
  discoverProjects,
  findDefaultComposeFiles,
  readShipshapeConfig,
  type ServiceProbe,
} from '../../src/compose/discover.js';

const created: string[] = [];
after(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary tree; a `null` content makes a directory. */
function tree(files: Record<string, string | null>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-discover-')));
  created.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (content === null) {
      fs.mkdirSync(abs, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
    }
  }
  return root;
}

const WITH_IMAGE = 'services:\n  web:\n    image: nginx:1.27\n';
const PORTS_ONLY = 'services:\n  web:\n    ports: ["8080:80"]\n';

/** Environments as name → files relative to the project folder, which reads better in assertions. */
function envs(project: { dir: string; environments: { name: string; files: string[] }[] } | undefined) {
  assert.ok(project, 'expected a project');
  return project.environments.map((e) => ({ name: e.name, files: e.files.map((f) => path.relative(project.dir, f)) }));
}

describe('findDefaultComposeFiles', () => {
  it('returns nothing for a folder without compose files, and does not look in parent folders', () => {
    const root = tree({ 'compose.yaml': WITH_IMAGE, 'sub/README.md': 'x' });
    assert.deepEqual(findDefaultComposeFiles(path.join(root, 'sub')), []);
  });

  it('prefers compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml in that order', () => {
    const order = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
    const root = tree(Object.fromEntries(order.map((n) => [n, WITH_IMAGE])));
    for (const name of order) {
      assert.deepEqual(findDefaultComposeFiles(root), [path.join(root, name)]);
      fs.rmSync(path.join(root, name));
    }
    assert.deepEqual(findDefaultComposeFiles(root), []);
  });

  it('adds the preferred override file, in compose-go order', () => {
    const overrides = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];
    const root = tree({ 'docker-compose.yml': WITH_IMAGE, ...Object.fromEntries(overrides.map((n) => [n, PORTS_ONLY])) });
    for (const name of overrides) {
      assert.deepEqual(findDefaultComposeFiles(root), [path.join(root, 'docker-compose.yml'), path.join(root, name)]);
      fs.rmSync(path.join(root, name));
    }
    assert.deepEqual(findDefaultComposeFiles(root), [path.join(root, 'docker-compose.yml')]);
  });

  it('ignores an override without a base file and a directory named like a compose file', () => {
    const root = tree({ 'compose.override.yaml': PORTS_ONLY, 'compose.yaml': null });
    assert.deepEqual(findDefaultComposeFiles(root), []);
  });
});

describe('discoverProjects: one folder', () => {
  it('makes the default file and its override the base environment', () => {
    const root = tree({ 'compose.yaml': WITH_IMAGE, 'compose.override.yaml': PORTS_ONLY, 'README.md': '' });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(result.issues, []);
    assert.equal(result.projects.length, 1);
    assert.equal(result.projects[0]?.dir, root);
    assert.deepEqual(envs(result.projects[0]), [{ name: 'base', files: ['compose.yaml', 'compose.override.yaml'] }]);
  });

  it('uses the preferred base when several exist, and says so', () => {
    const root = tree({ 'compose.yaml': WITH_IMAGE, 'docker-compose.yml': WITH_IMAGE });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(envs(result.projects[0]), [{ name: 'base', files: ['compose.yaml'] }]);
    assert.equal(result.issues.length, 1);
    assert.match(result.issues[0]?.message ?? '', /multiple config files.*compose\.yaml, docker-compose\.yml.*using compose\.yaml/);
  });

  it('classifies overlays and standalone files, base first then by name', () => {
    const root = tree({
      'docker-compose.yml': 'services:\n  web:\n    image: nginx:1.27\n  db:\n    image: postgres:16\n',
      'docker-compose.override.yml': PORTS_ONLY,
      'docker-compose.prod.yml': 'services:\n  web:\n    image: nginx:1.27\n  db:\n    build: ./db\n',
      'docker-compose.dev.yml': 'services:\n  web:\n    ports: ["8080:80"]\n  db:\n    ports: ["5432:5432"]\n',
      'docker-compose.ci.yml': 'services:\n  web:\n    image: nginx:1.27\n  tests:\n    environment: [CI=1]\n',
    });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(envs(result.projects[0]), [
      { name: 'base', files: ['docker-compose.yml', 'docker-compose.override.yml'] },
      { name: 'ci', files: ['docker-compose.yml', 'docker-compose.ci.yml'] },
      { name: 'dev', files: ['docker-compose.yml', 'docker-compose.dev.yml'] },
      { name: 'prod', files: ['docker-compose.prod.yml'] },
    ]);
  });

  it('names environments after the middle part of compose*.y(a)ml and docker-compose*.y(a)ml', () => {
    const root = tree({
      'compose.yaml': WITH_IMAGE,
      'compose.staging.yaml': WITH_IMAGE,
      'docker-compose-dev.yml': WITH_IMAGE,
      'docker-compose.prod.eu.yml': WITH_IMAGE,
      'docker-compose_test.yaml': WITH_IMAGE,
      'composer.yaml': WITH_IMAGE,
      'docker-compose.yml.bak': WITH_IMAGE,
      'my-compose.yml': WITH_IMAGE,
    });
    assert.deepEqual(
      envs(discoverProjects(root, defaultServiceProbe).projects[0]).map((e) => e.name),
      ['base', 'dev', 'my', 'prod.eu', 'staging', 'test'],
    );
  });

  it('takes a file that uses what only the base defines for an overlay, even when every service has an image', () => {
    const root = tree({
      'compose.yaml': 'services:\n  db: {image: postgres:16}\n  web: {image: nginx:1.27}\nnetworks: {back: {}}\nvolumes: {pgdata: {}}\n',
      'compose.workers.yaml': 'services:\n  worker: {image: app:1, depends_on: [db]}\n',
      'compose.tools.yaml': 'services:\n  adminer: {image: adminer:4, networks: [back]}\n',
      'compose.backup.yaml': 'services:\n  backup: {image: backup:1, volumes: ["pgdata:/data:ro"]}\n',
      'compose.demo.yaml': 'services:\n  demo: {image: demo:1, volumes: ["./data:/data"], networks: [own]}\nnetworks: {own: {}}\n',
    });
    assert.deepEqual(envs(discoverProjects(root, defaultServiceProbe).projects[0]), [
      { name: 'base', files: ['compose.yaml'] },
      { name: 'backup', files: ['compose.yaml', 'compose.backup.yaml'] },
      { name: 'demo', files: ['compose.demo.yaml'] },
      { name: 'tools', files: ['compose.yaml', 'compose.tools.yaml'] },
      { name: 'workers', files: ['compose.yaml', 'compose.workers.yaml'] },
    ]);
  });

  it('puts the one sibling that completes an overlay of an overlay between it and the base', () => {
    const root = tree({
      'compose.yaml': 'services:\n  web: {image: nginx:1.27}\n',
      'overrides/compose.custom-domain.yaml': 'services:\n  custom-domain: {image: certbot:2}\n',
      'overrides/compose.custom-domain-ssl.yaml': 'services:\n  custom-domain: {environment: [SSL=1]}\n',
      'overrides/compose.edge.yaml': 'services:\n  edge: {environment: [X=1]}\n',
    });
    const top = discoverProjects(root, defaultServiceProbe).projects[0];
    assert.deepEqual(
      envs(top).filter((e) => e.name.startsWith('overrides/')),
      [
        { name: 'overrides/custom-domain-ssl', files: ['compose.yaml', 'overrides/compose.custom-domain.yaml', 'overrides/compose.custom-domain-ssl.yaml'] },
        { name: 'overrides/edge', files: ['compose.yaml', 'overrides/compose.edge.yaml'] },
      ],
    );
  });

  it('finds compose files in sub-folders: overlays of the project above join it, standalone ones are projects', () => {
    const root = tree({
      'compose.yaml': 'services:\n  db: {image: postgres:16}\n  web: {image: nginx:1.27}\n',
      'deploy/compose.prod.yaml': 'services:\n  web: {ports: ["443:443"]}\n',
      'deploy/monitoring-compose.yml': 'services:\n  exporter: {image: exporter:1, depends_on: [db]}\n',
      'examples/demo/docker-compose.yml': 'services:\n  demo: {image: demo:1}\n',
    });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(
      result.projects.map((p) => ({ dir: path.relative(root, p.dir), environments: envs(p) })),
      [
        {
          dir: '',
          environments: [
            { name: 'base', files: ['compose.yaml'] },
            { name: 'deploy/monitoring', files: ['compose.yaml', 'deploy/monitoring-compose.yml'] },
            { name: 'deploy/prod', files: ['compose.yaml', 'deploy/compose.prod.yaml'] },
          ],
        },
        { dir: 'examples/demo', environments: [{ name: 'base', files: ['docker-compose.yml'] }] },
      ],
    );
  });

  it('treats a file the probe cannot read as standalone', () => {
    const root = tree({ 'compose.yaml': WITH_IMAGE, 'compose.a.yaml': PORTS_ONLY, 'compose.b.yaml': PORTS_ONLY });
    const none = { services: [], networks: [], volumes: [] };
    const probe: ServiceProbe = (file) =>
      file.endsWith('compose.a.yaml') ? undefined : { services: [{ name: 'web', hasImageOrBuild: false }], defines: none, uses: none };
    assert.deepEqual(envs(discoverProjects(root, probe).projects[0]), [
      { name: 'base', files: ['compose.yaml'] },
      { name: 'a', files: ['compose.a.yaml'] },
      { name: 'b', files: ['compose.yaml', 'compose.b.yaml'] },
    ]);
  });

  it('makes every file standalone when there is no base', () => {
    const root = tree({
      'docker-compose.production.yml': PORTS_ONLY,
      'compose.staging.yaml': WITH_IMAGE,
      'compose.override.yaml': PORTS_ONLY,
    });
    let probed = 0;
    const result = discoverProjects(root, (file) => {
      probed++;
      return defaultServiceProbe(file);
    });
    assert.deepEqual(result.issues, []);
    assert.deepEqual(envs(result.projects[0]), [
      { name: 'override', files: ['compose.override.yaml'] },
      { name: 'production', files: ['docker-compose.production.yml'] },
      { name: 'staging', files: ['compose.staging.yaml'] },
    ]);
    assert.equal(probed, 0);
  });

  it('keeps one file per environment name and reports the others', () => {
    const root = tree({
      'docker-compose.yml': WITH_IMAGE,
      'docker-compose.prod.yml': WITH_IMAGE,
      'compose.prod.yaml': WITH_IMAGE,
      'docker-compose.base.yml': WITH_IMAGE,
      'compose.override.yml': PORTS_ONLY,
      'docker-compose.override.yml': PORTS_ONLY,
    });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(envs(result.projects[0]), [
      { name: 'base', files: ['docker-compose.yml', 'compose.override.yml'] },
      { name: 'prod', files: ['compose.prod.yaml'] },
    ]);
    const byFile = Object.fromEntries(result.issues.map((i) => [path.relative(root, i.file), i.message]));
    assert.deepEqual(Object.keys(byFile).sort(), ['compose.override.yml', 'docker-compose.base.yml', 'docker-compose.prod.yml']);
    assert.match(byFile['docker-compose.prod.yml'] ?? '', /environment "prod" is already defined by compose\.prod\.yaml/);
    assert.match(byFile['docker-compose.base.yml'] ?? '', /"base" is taken by docker-compose\.yml/);
    assert.match(byFile['compose.override.yml'] ?? '', /multiple override files/);
  });

  it('follows a symlink to a compose file', () => {
    const root = tree({ 'real/app.yaml': WITH_IMAGE, 'proj/README.md': '' });
    fs.symlinkSync(path.join(root, 'real/app.yaml'), path.join(root, 'proj/compose.yaml'));
    assert.deepEqual(envs(discoverProjects(path.join(root, 'proj'), defaultServiceProbe).projects[0]), [
      { name: 'base', files: ['compose.yaml'] },
    ]);
  });
});

describe('discoverProjects: recursive search', () => {
  it('finds every folder with compose files, skipping .git, node_modules, dot-folders and symlinks', () => {
    const root = tree({
      'README.md': '',
      'a/compose.yaml': WITH_IMAGE,
      'a/b/docker-compose.yml': WITH_IMAGE,
      'a-b/compose.yml': WITH_IMAGE,
      'c/docker-compose.prod.yml': WITH_IMAGE,
      'empty/README.md': '',
      'node_modules/pkg/compose.yaml': WITH_IMAGE,
      '.git/compose.yaml': WITH_IMAGE,
      '.github/compose.yaml': WITH_IMAGE,
      'x/node_modules/compose.yaml': WITH_IMAGE,
    });
    fs.symlinkSync(path.join(root, 'a'), path.join(root, 'link'));
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(
      result.projects.map((p) => ({ dir: path.relative(root, p.dir), envs: envs(p) })),
      [
        { dir: 'a', envs: [{ name: 'base', files: ['compose.yaml'] }] },
        { dir: 'a/b', envs: [{ name: 'base', files: ['docker-compose.yml'] }] },
        { dir: 'a-b', envs: [{ name: 'base', files: ['compose.yml'] }] },
        { dir: 'c', envs: [{ name: 'prod', files: ['docker-compose.prod.yml'] }] },
      ],
    );
  });

  it('searches below a root that has a compose file: a standalone file there is a project of its own', () => {
    const root = tree({ 'compose.prod.yaml': WITH_IMAGE, 'sub/compose.yaml': WITH_IMAGE });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(result.projects.map((p) => p.dir), [root, path.join(root, 'sub')]);
  });

  it('stops ten folders below the root', () => {
    const nine = Array.from({ length: 10 }, (_, i) => `d${i + 1}`).join('/');
    const root = tree({ [`${nine}/compose.yaml`]: WITH_IMAGE, [`${nine}/d11/compose.yaml`]: WITH_IMAGE });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(result.projects.map((p) => path.relative(root, p.dir)), [nine]);
  });

  it("applies a folder's .shipshape.yml to that folder and discovers nothing below it", () => {
    const root = tree({
      'app/.shipshape.yml': 'environments:\n  live: [deploy/main.yml]\n',
      'app/deploy/main.yml': WITH_IMAGE,
      'app/deploy/compose.yaml': WITH_IMAGE,
      'app/compose.yaml': WITH_IMAGE,
      'other/compose.yaml': WITH_IMAGE,
    });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(
      result.projects.map((p) => ({ dir: path.relative(root, p.dir), envs: envs(p) })),
      [
        { dir: 'app', envs: [{ name: 'live', files: ['deploy/main.yml'] }] },
        { dir: 'other', envs: [{ name: 'base', files: ['compose.yaml'] }] },
      ],
    );
  });

  it('reports a root without any compose file', () => {
    const root = tree({ 'src/index.ts': '' });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(result.projects, []);
    assert.equal(result.issues.length, 1);
    assert.equal(result.issues[0]?.file, root);
    assert.match(result.issues[0]?.message ?? '', /no compose file found/);
  });
});

describe('discoverProjects: explicit files and config', () => {
  it('uses -f files exactly, in order, relative to the root', () => {
    const root = tree({ 'compose.yaml': WITH_IMAGE, 'compose.prod.yaml': WITH_IMAGE, 'extra/more.yml': PORTS_ONLY });
    const result = discoverProjects(root, defaultServiceProbe, {
      files: ['extra/more.yml', path.join(root, 'compose.yaml')],
    });
    assert.deepEqual(result.issues, []);
    assert.equal(result.projects[0]?.dir, root);
    assert.deepEqual(envs(result.projects[0]), [{ name: 'base', files: ['extra/more.yml', 'compose.yaml'] }]);
  });

  it('keeps a missing -f file and reports it', () => {
    const root = tree({ 'compose.yaml': WITH_IMAGE });
    const result = discoverProjects(root, defaultServiceProbe, { files: ['nope.yml'] });
    assert.deepEqual(envs(result.projects[0]), [{ name: 'base', files: ['nope.yml'] }]);
    assert.deepEqual(result.issues, [{ file: path.join(root, 'nope.yml'), message: 'no such file or directory' }]);
  });

  it("uses .shipshape.yml environments in the config's order and discovers nothing", () => {
    const root = tree({
      '.shipshape.yml': 'rules: {}\nenvironments:\n  prod: [compose.yaml, deploy/prod.yml]\n  dev: [compose.yaml]\n',
      'compose.yaml': WITH_IMAGE,
      'compose.staging.yaml': WITH_IMAGE,
      'deploy/prod.yml': WITH_IMAGE,
    });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(envs(result.projects[0]), [
      { name: 'prod', files: ['compose.yaml', 'deploy/prod.yml'] },
      { name: 'dev', files: ['compose.yaml'] },
    ]);
  });

  it('prefers options.config over the folder file, and drops environments naming missing files', () => {
    const root = tree({
      '.shipshape.yml': 'environments:\n  ignored: [compose.yaml]\n',
      'compose.yaml': WITH_IMAGE,
    });
    const result = discoverProjects(root, defaultServiceProbe, {
      config: { environments: { ok: ['compose.yaml'], broken: ['compose.yaml', 'gone.yml'] } },
    });
    assert.deepEqual(envs(result.projects[0]), [{ name: 'ok', files: ['compose.yaml'] }]);
    assert.equal(result.issues.length, 1);
    assert.equal(result.issues[0]?.file, path.join(root, 'gone.yml'));
    assert.match(result.issues[0]?.message ?? '', /environment "broken".*no such file or directory/);
  });

  it('falls back to discovery and reports a bad config', () => {
    const root = tree({ '.shipshape.yml': 'environments: [compose.yaml]\n', 'compose.yaml': WITH_IMAGE });
    const result = discoverProjects(root, defaultServiceProbe);
    assert.deepEqual(envs(result.projects[0]), [{ name: 'base', files: ['compose.yaml'] }]);
    assert.equal(result.issues.length, 1);
    assert.equal(result.issues[0]?.file, path.join(root, '.shipshape.yml'));
  });

  it('takes a file as root: the one project of its folder', () => {
    const root = tree({ 'app/stack.yml': WITH_IMAGE, 'app/compose.override.yaml': PORTS_ONLY, 'app/compose.prod.yaml': WITH_IMAGE });
    const file = path.join(root, 'app/stack.yml');
    const result = discoverProjects(file, defaultServiceProbe);
    assert.deepEqual(result, { projects: [{ dir: path.join(root, 'app'), environments: [{ name: 'base', files: [file] }] }], issues: [] });
  });

  it('reports a missing root', () => {
    const root = tree({});
    const missing = path.join(root, 'nowhere');
    assert.deepEqual(discoverProjects(missing, defaultServiceProbe), {
      projects: [],
      issues: [{ file: missing, message: 'no such file or directory' }],
    });
  });
});

describe('readShipshapeConfig', () => {
  const read = (content: string | null) => readShipshapeConfig(tree(content === null ? {} : { '.shipshape.yml': content }));

  it('returns nothing for a folder without the file, and no environments when the key is absent', () => {
    assert.deepEqual(read(null), {});
    assert.deepEqual(read(''), { config: {} });
    assert.deepEqual(read('rules:\n  latest-tag: off\n'), { config: {} });
  });

  it('reads environments', () => {
    assert.deepEqual(read('environments:\n  prod: [a.yml, b.yml]\n'), { config: { environments: { prod: ['a.yml', 'b.yml'] } } });
  });

  it('names the key and the expected type of bad shapes', () => {
    assert.match(read('environments: [a.yml]\n').issue?.message ?? '', /`environments` must be a mapping .*not a list/);
    assert.match(read('environments: prod\n').issue?.message ?? '', /`environments` must be a mapping .*not a string/);
    const several = read('environments:\n  prod: a.yml\n  dev: []\n  ci: [1]\n  ok: [a.yml]\n').issue?.message ?? '';
    assert.match(several, /`environments\.prod` must be a list of file names, not a string/);
    assert.match(several, /`environments\.dev` must name at least one file/);
    assert.match(several, /`environments\.ci` must be a list of file names/);
    assert.doesNotMatch(several, /environments\.ok/);
    assert.match(read('- a\n').issue?.message ?? '', /must be a mapping, not a list/);
  });

  it('reports invalid YAML with its position, and a file it cannot read', () => {
    const bad = read('environments:\n  prod: [a.yml\n');
    assert.equal(bad.config, undefined);
    assert.match(bad.issue?.message ?? '', /invalid YAML at line \d+, column \d+/);
    const dup = read('environments:\n  prod: [a.yml]\n  prod: [b.yml]\n');
    assert.match(dup.issue?.message ?? '', /line 3, column 3/);
    const dir = tree({ '.shipshape.yml/x': '' });
    assert.deepEqual(readShipshapeConfig(dir), {
      issue: { file: path.join(dir, '.shipshape.yml'), message: 'cannot read: is a directory' },
    });
  });
});

describe('defaultServiceProbe', () => {
  const probe = (content: string) => defaultServiceProbe(path.join(tree({ 'c.yaml': content }), 'c.yaml'))?.services;

  it('says which services have image, build or extends', () => {
    assert.deepEqual(
      probe('services:\n  a:\n    image: x\n  b:\n    build: .\n  c:\n    extends: a\n  d:\n    ports: ["80"]\n  e:\n'),
      [
        { name: 'a', hasImageOrBuild: true },
        { name: 'b', hasImageOrBuild: true },
        { name: 'c', hasImageOrBuild: true },
        { name: 'd', hasImageOrBuild: false },
        { name: 'e', hasImageOrBuild: false },
      ],
    );
  });

  it('follows << merge keys, single and list, and aliases', () => {
    const yaml = [
      'x-img: &img',
      '  image: nginx',
      'x-other: &other',
      '  restart: always',
      'x-svcs: &svcs',
      '  m:',
      '    <<: *img',
      'services:',
      '  <<: *svcs',
      '  a:',
      '    <<: *img',
      '  b:',
      '    <<: [*other, *img]',
      '  c:',
      '    <<: *other',
      '  d: *img',
      '',
    ].join('\n');
    assert.deepEqual(probe(yaml), [
      { name: 'a', hasImageOrBuild: true },
      { name: 'b', hasImageOrBuild: true },
      { name: 'c', hasImageOrBuild: false },
      { name: 'd', hasImageOrBuild: true },
      { name: 'm', hasImageOrBuild: true },
    ]);
  });

  it('combines the documents of one file and does not count an image reset with !reset', () => {
    assert.deepEqual(probe('services:\n  a:\n    ports: ["80"]\n---\nservices:\n  a:\n    image: x\n  b:\n    image: !reset null\n'), [
      { name: 'a', hasImageOrBuild: true },
      { name: 'b', hasImageOrBuild: false },
    ]);
  });

  it('returns undefined for unreadable or invalid files and nothing for files without services', () => {
    assert.equal(defaultServiceProbe(path.join(tree({}), 'missing.yml')), undefined);
    assert.equal(probe('services:\n  a: [\n'), undefined);
    assert.deepEqual(probe('- a\n'), []);
    assert.deepEqual(probe('volumes:\n  data:\n'), []);
  });

  it('lists what a file defines and what its services use', () => {
    const probed = defaultServiceProbe(
      path.join(
        tree({
          'c.yaml':
            'services:\n  a:\n    image: x\n    depends_on: {db: {condition: service_healthy}}\n    links: ["cache:redis"]\n' +
            '    network_mode: "service:vpn"\n    volumes: [data:/d, ./x:/x, {type: volume, source: logs, target: /l}]\n    networks: [back, default]\n' +
            'volumes: {data: {}}\nnetworks: {front: {}}\n',
        }),
        'c.yaml',
      ),
    );
    assert.deepEqual(probed?.defines, { services: ['a'], networks: ['front'], volumes: ['data'] });
    assert.deepEqual(probed?.uses, { services: ['db', 'cache', 'vpn'], networks: ['back'], volumes: ['data', 'logs'] });
  });

  it('survives an alias bomb', () => {
    const names = 'abcdefghijklm';
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < names.length; i++) {
      lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`);
    }
    lines.push('services:\n  web:\n    image: *m\n');
    const start = performance.now();
    assert.deepEqual(probe(lines.join('\n')), [{ name: 'web', hasImageOrBuild: true }]);
    assert.ok(performance.now() - start < 1000);
  });
});

describe('discoverProjects on awesome-compose', () => {
  it('finds 39 projects, each with a base environment first', () => {
    const corpus = findCorpus('awesome-compose');
    const result = discoverProjects(corpus, defaultServiceProbe);
    assert.deepEqual(result.issues, []);
    assert.equal(result.projects.length, 39);
    for (const project of result.projects) {
      assert.equal(path.dirname(project.dir), corpus);
      assert.equal(project.environments[0]?.name, 'base', project.dir);
      assert.deepEqual(project.environments[0]?.files, findDefaultComposeFiles(project.dir));
    }
    const dirs = result.projects.map((p) => path.basename(p.dir));
    assert.deepEqual(dirs, [...dirs].sort());
  });
});

/** The repository's copy of the shared corpus, found from the working directory or from this file. */
function findCorpus(name: string): string {
  const starts = [process.cwd(), path.dirname(fileURLToPath(import.meta.url))];
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'test', 'fixtures', 'corpus', name);
      if (fs.existsSync(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  const shared = path.join('/work/shared/corpus', name);
  assert.ok(fs.existsSync(shared), `corpus ${name} not found`);
  return shared;
}
