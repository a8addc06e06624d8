import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadProject } from '../../src/compose/index.js';
import { writeTree, yaml } from '../helpers/tmp.js';

const codes = (r: { diagnostics: { code: string; severity: string }[] }) =>
  r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);

describe('loadProject', () => {
  it('merges compose.yaml with compose.override.yaml and interpolates from .env', () => {
    const dir = writeTree({
      'compose.yaml': yaml`
        services:
          web:
            image: nginx:\${TAG:-latest}
            ports: ["\${PORT}:80"]
      `,
      'compose.override.yaml': yaml`
        services:
          web:
            environment: [DEBUG=1]
      `,
      '.env': 'PORT=8080\n',
    });
    const r = loadProject({ workingDir: dir, env: {} });
    assert.deepEqual(codes(r), []);
    const web = r.project!.services.web!;
    assert.equal(web.image, 'nginx:latest');
    assert.deepEqual(web.ports, [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }]);
    assert.deepEqual(web.environment, { DEBUG: '1' });
    assert.equal(r.project!.name, dir.split('/').pop()!.toLowerCase().replace(/[^a-z0-9_-]/g, ''));
    assert.deepEqual(r.project!.files, [join(dir, 'compose.yaml'), join(dir, 'compose.override.yaml')]);
    assert.deepEqual(r.positionOf(['services', 'web', 'environment', 'DEBUG']), {
      file: join(dir, 'compose.override.yaml'),
      line: 3,
      column: 19,
    });
    assert.equal(r.positionOf(['services', 'web', 'image'])!.line, 3);
  });

  it('lets the process environment win over .env', () => {
    const dir = writeTree({ 'compose.yaml': 'services: {web: {image: "app:${TAG}"}}\n', '.env': 'TAG=env-file\n' });
    assert.equal(loadProject({ workingDir: dir, env: { TAG: 'process' } }).project!.services.web!.image, 'app:process');
  });

  it('reports a required variable at its line', () => {
    const dir = writeTree({ 'compose.yaml': 'services:\n  web:\n    image: "app:${TAG:?set a tag}"\n' });
    const r = loadProject({ workingDir: dir, env: {} });
    const d = r.diagnostics.find((x) => x.code === 'interpolation')!;
    assert.equal(d.line, 3);
    assert.match(d.message, /set a tag/);
  });

  it('resolves extends from the same and another file, rebasing the other file paths', () => {
    const dir = writeTree({
      'compose.yaml': yaml`
        services:
          base:
            image: app
            environment: {A: "1"}
          web:
            extends: base
            environment: {B: "2"}
          worker:
            extends: {file: common/base.yaml, service: job}
      `,
      'common/base.yaml': yaml`
        services:
          job:
            image: worker
            volumes: ["./data:/data"]
      `,
    });
    const r = loadProject({ workingDir: dir, env: {} });
    assert.deepEqual(codes(r), []);
    assert.deepEqual(r.project!.services.web!.environment, { A: '1', B: '2' });
    assert.equal(r.project!.services.web!.image, 'app');
    assert.equal(r.project!.services.worker!.volumes![0]!.source, join(dir, 'common', 'data'));
    assert.equal(r.positionOf(['services', 'worker', 'image'])!.file, join(dir, 'common', 'base.yaml'));
  });

  it('reports an extends cycle with the whole chain', () => {
    const dir = writeTree({
      'compose.yaml': yaml`
        services:
          a: {image: x, extends: b}
          b: {extends: c}
          c: {extends: a}
      `,
    });
    const r = loadProject({ workingDir: dir, env: {} });
    const cycle = r.diagnostics.filter((d) => d.code === 'extends-cycle');
    assert.ok(cycle.length >= 1);
    assert.match(cycle[0]!.message, /a → b → c → a|b → c → a → b|c → a → b → c/);
  });

  it('includes another project and refuses a conflicting service', () => {
    const dir = writeTree({
      'compose.yaml': yaml`
        include: [db/compose.yaml]
        services:
          web: {image: web, depends_on: [db]}
      `,
      'db/compose.yaml': 'services:\n  db:\n    image: postgres\n    env_file: db.env\n',
      'db/db.env': 'POSTGRES_DB=app\n',
    });
    const r = loadProject({ workingDir: dir, env: {} });
    assert.deepEqual(codes(r), []);
    assert.deepEqual(r.project!.services.db!.environment, { POSTGRES_DB: 'app' });
    assert.equal(r.positionOf(['services', 'db', 'image'])!.file, join(dir, 'db', 'compose.yaml'));

    const clash = writeTree({
      'compose.yaml': 'include: [other.yaml]\nservices:\n  db: {image: mine}\n',
      'other.yaml': 'services:\n  db: {image: theirs}\n',
    });
    const c = loadProject({ workingDir: clash, env: {} });
    const conflict = c.diagnostics.find((d) => d.code === 'include-conflict')!;
    assert.equal(conflict.line, 3);
    assert.equal(conflict.related[0]!.file, join(clash, 'other.yaml'));
  });

  it('applies profiles and refuses a required dependency on a disabled service', () => {
    const dir = writeTree({
      'compose.yaml': yaml`
        services:
          web: {image: web}
          debug: {image: dbg, profiles: [debug]}
      `,
    });
    assert.deepEqual(Object.keys(loadProject({ workingDir: dir, env: {} }).project!.services), ['web']);
    assert.deepEqual(Object.keys(loadProject({ workingDir: dir, env: {}, profiles: ['debug'] }).project!.services).sort(), ['debug', 'web']);
    assert.deepEqual(Object.keys(loadProject({ workingDir: dir, env: { COMPOSE_PROFILES: 'debug' } }).project!.services).sort(), ['debug', 'web']);

    const bad = writeTree({ 'compose.yaml': 'services:\n  web: {image: w, depends_on: [db]}\n  db: {image: d, profiles: [x]}\n' });
    assert.deepEqual(codes(loadProject({ workingDir: bad, env: {} })), ['profile']);
  });

  it('reads env_file entries under environment, keeping their own lines', () => {
    const dir = writeTree({
      'compose.yaml': 'services:\n  web:\n    image: w\n    env_file: [app.env]\n    environment: {B: override}\n',
      'app.env': '# comment\nA=1\nB=2\n',
    });
    const r = loadProject({ workingDir: dir, env: {} });
    assert.deepEqual(r.project!.services.web!.environment, { A: '1', B: 'override' });
    assert.deepEqual(r.positionOf(['services', 'web', 'environment', 'A']), { file: join(dir, 'app.env'), line: 2, column: 1 });
  });

  it('adds the default network and prefixes resource names with the project name', () => {
    const dir = writeTree({ 'compose.yaml': 'name: demo\nservices:\n  web: {image: w, volumes: ["data:/d"]}\nvolumes:\n  data:\n' });
    const r = loadProject({ workingDir: dir, env: {} });
    assert.deepEqual(r.project!.services.web!.networks, { default: null });
    assert.deepEqual(r.project!.networks, { default: { name: 'demo_default' } });
    assert.deepEqual(r.project!.volumes, { data: { name: 'demo_data' } });
  });

  it('reports dangling references where they are written', () => {
    const dir = writeTree({
      'compose.yaml': yaml`
        services:
          web:
            image: w
            networks: [front]
            volumes: ["data:/d"]
            depends_on: [db]
            secrets: [key]
      `,
    });
    const r = loadProject({ workingDir: dir, env: {} });
    assert.deepEqual(codes(r).sort(), ['undefined-network', 'undefined-secret', 'undefined-volume', 'unknown-dependency']);
    const net = r.diagnostics.find((d) => d.code === 'undefined-network')!;
    assert.equal(net.line, 4);
  });

  it('reports a missing compose file and a missing -f file without throwing', () => {
    const empty = writeTree({ 'README.md': 'x' });
    assert.deepEqual(codes(loadProject({ workingDir: empty, env: {} })), ['no-compose-file']);
    assert.deepEqual(codes(loadProject({ files: [join(empty, 'nope.yaml')], env: {} })), ['file-not-found']);
  });

  it('reports schema errors at the offending key', () => {
    const dir = writeTree({ 'compose.yaml': 'services:\n  web:\n    imgae: nginx\n' });
    const r = loadProject({ workingDir: dir, env: {} });
    const d = r.diagnostics.find((x) => x.code === 'schema')!;
    assert.equal(d.line, 3);
    assert.match(d.message, /imgae/);
  });
});
