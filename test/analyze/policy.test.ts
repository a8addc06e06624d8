import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, decide, deployFiles, gateProject, localPolicy, RULES, type DeployPolicy, type Finding } from '../../src/analyze/index.js';
import { writeTree } from '../helpers/tmp.js';

const finding = (rule: string, severity: Finding['severity'], message = 'm'): Finding => ({ rule, severity, service: 'app', services: ['app'], file: 'compose.yaml', line: 3, column: 5, message, fix: null });
const remote = (over: Partial<DeployPolicy> = {}): DeployPolicy => ({ threshold: 'high', remote: true, allowedHostPaths: [], allowRules: [], ...over });

describe('the deploy policy', () => {
  it('locally refuses by severity only', () => {
    const found = [finding('host-namespace', 'high'), finding('host-path-escape', 'low'), finding('latest-tag', 'medium')];
    assert.deepEqual(decide(found, localPolicy('high')).blocking.map((f) => f.rule), ['host-namespace']);
    assert.deepEqual(decide(found, localPolicy('never')).blocking, []);
    assert.deepEqual(decide(found, localPolicy()).blocking.map((f) => f.rule), ['host-namespace'], 'the default is high');
  });

  it('remotely refuses the host-reaching rules at any severity, reported as critical; not the others', () => {
    const found = [finding('host-path-escape', 'low'), finding('foreign-resource', 'medium'), finding('latest-tag', 'medium')];
    const decision = decide(found, remote({ threshold: 'never' }));
    assert.deepEqual(decision.blocking.map((f) => [f.rule, f.severity]), [['host-path-escape', 'critical'], ['foreign-resource', 'critical']]);
    assert.equal(decision.findings[2]!.severity, 'medium');
  });

  it('lets allowed rules and allowed host paths through, and says which', () => {
    const found = [finding('privileged', 'critical'), finding('host-path-escape', 'info', 'allowed by ALLOWED_HOST_PATHS: service "app" binds /srv/www'), finding('host-path-escape', 'critical')];
    const decision = decide(found, remote({ allowRules: ['privileged'] }));
    assert.deepEqual(decision.allowed.map((a) => [a.rule, a.by]), [['privileged', 'rule'], ['host-path-escape', 'host-path']]);
    assert.deepEqual(decision.blocking.map((f) => f.rule), ['host-path-escape']);
  });
});

describe('the gate analysis', () => {
  const project = () =>
    writeTree({
      'compose.yaml': 'services:\n  app:\n    image: app:1\n    # shipshape-ignore privileged we need it\n    privileged: true\n',
      '.shipshape.yml': 'rules:\n  privileged: off\nenvironments:\n  base: [decoy.yaml]\n',
      'decoy.yaml': 'services:\n  app:\n    image: app:1\n',
    });

  it('honours inline ignores and the project config locally, and neither for an untrusted project', () => {
    const dir = project();
    const rulesOf = (untrustedProject: boolean) =>
      analyze({ root: dir, files: [join(dir, 'compose.yaml')], rules: RULES, version: 't', env: {}, untrustedProject }).report.projects[0]!.environments[0]!.findings.map((f) => f.rule);
    assert.ok(!rulesOf(false).includes('privileged'));
    assert.ok(rulesOf(true).includes('privileged'));
  });

  it('analyzes the files a deploy runs, and reads nothing outside the package', () => {
    const dir = project();
    const located = deployFiles(dir);
    assert.ok(!('error' in located));
    assert.deepEqual(located.files, [join(dir, 'compose.yaml')]);
    writeFileSync(join(dir, 'compose.override.yaml'), 'include:\n  - /etc/shadow\nservices:\n  app:\n    env_file: /etc/shadow\n');
    const again = deployFiles(dir);
    assert.ok(!('error' in again));
    const outcome = gateProject({ dir, files: again.files, policy: remote(), version: 't' });
    assert.deepEqual(outcome.problems, []);
    assert.deepEqual(outcome.blocking.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}`).sort(), [
      'host-path-escape compose.override.yaml:2:5',
      'host-path-escape compose.override.yaml:5:15',
      'privileged compose.yaml:5:17',
    ]);
    assert.ok(outcome.findings.every((f) => !/root:[^ ]*:\d+:/.test(f.message)), "no line of /etc/shadow in a finding");
  });

  it('finds the compose files of a package zipped with its folder', () => {
    const dir = writeTree({ 'app/compose.yaml': 'services:\n  a:\n    image: a:1\n' });
    mkdirSync(join(dir, '__MACOSX'));
    assert.deepEqual(deployFiles(dir), { projectDir: join(dir, 'app'), files: [join(dir, 'app', 'compose.yaml')] });
    assert.ok('error' in deployFiles(writeTree({ 'a/compose.yaml': 'x', 'b/compose.yaml': 'y' })));
  });
});

describe('the gate against tricks a local report may accept', () => {
  const gate = (tree: Record<string, string>) => {
    const dir = writeTree(tree);
    const located = deployFiles(dir);
    assert.ok(!('error' in located));
    return gateProject({ dir: located.projectDir, files: located.files, policy: remote(), version: 't' });
  };
  const local = (tree: Record<string, string>) => {
    const dir = writeTree(tree);
    return analyze({ root: dir, rules: RULES, version: 't', env: {} }).report.projects[0]!.environments[0]!.findings;
  };
  const blocked = (tree: Record<string, string>) => [...new Set(gate(tree).blocking.map((f) => f.rule))];

  it('refuses a fixed resource name even when it starts with the name the package gives itself', () => {
    const tree = { 'compose.yaml': 'name: shop\nservices:\n  a:\n    image: a:1\n    volumes: [db:/db]\nvolumes:\n  db:\n    name: shop_db\n' };
    assert.ok(!local(tree).some((f) => f.rule === 'foreign-resource'), 'locally the project owns shop_db');
    assert.deepEqual(blocked(tree), ['foreign-resource']);
    // The names the loader gives (`<project>_<key>`, the default network) are the stack's own.
    assert.deepEqual(blocked({ 'compose.yaml': 'name: shop\nservices:\n  a:\n    image: a:1\n    volumes: [db:/db]\nvolumes:\n  db: {}\n' }), []);
  });

  it('refuses container: naming its own container_name remotely, not locally', () => {
    const tree = { 'compose.yaml': 'services:\n  a:\n    image: a:1\n    container_name: mine\n  b:\n    image: a:1\n    network_mode: "container:mine"\n' };
    assert.ok(!local(tree).some((f) => f.rule === 'foreign-namespace'));
    assert.deepEqual(blocked(tree), ['foreign-namespace']);
  });

  it('sees the host path behind every local volume mount, and not behind tmpfs or network filesystems', () => {
    const volume = (opts: string, driver = '') => ({ 'compose.yaml': `services:\n  a:\n    image: a:1\n    volumes: [vol:/v]\nvolumes:\n  vol:\n${driver}    driver_opts: ${opts}\n` });
    const escapes = (tree: Record<string, string>) => gate(tree).blocking.filter((f) => f.rule === 'host-path-escape').map((f) => f.message);
    assert.match(escapes(volume('{type: ext4, device: /dev/sda1}'))[0] ?? '', /\/dev\/sda1/);
    assert.match(escapes(volume('{type: overlay, device: overlay, o: "lowerdir=/etc,upperdir=/tmp/u,workdir=/tmp/w"}'))[0] ?? '', /binds \(through volume "vol"\) \/etc,/);
    assert.match(escapes(volume('{type: none, o: "ro,rbind", device: ../../..}'))[0] ?? '', /binds \(through volume "vol"\) \/,/, 'a relative device is the daemon\'s, from /');
    assert.deepEqual(gate(volume('{type: none, o: bind, device: ./data}', '    driver: local\n')).blocking, [], 'compose resolves it in the project, even one under /tmp');
    assert.deepEqual(escapes(volume('{type: tmpfs, device: tmpfs, o: size=8m}')), []);
    assert.deepEqual(escapes(volume('{type: nfs, o: "addr=10.0.0.1,rw", device: ":/export"}')), []);
  });

  it('refuses the host-reaching keys the engine can express: gpus, device reservations, cgroup_parent, external_links, volumes_from', () => {
    const service = (body: string) => ({ 'compose.yaml': `services:\n  a:\n    image: a:1\n${body}` });
    assert.deepEqual(blocked(service('    gpus: all\n')), ['host-device']);
    assert.deepEqual(blocked(service('    deploy:\n      resources:\n        reservations:\n          devices: [{driver: nvidia, count: all, capabilities: [gpu]}]\n')), ['host-device']);
    assert.deepEqual(blocked(service('    cgroup_parent: /system.slice\n')), ['host-namespace']);
    assert.deepEqual(blocked(service('    external_links: ["billing-db-1:db"]\n')), ['foreign-resource']);
    assert.deepEqual(blocked(service('    volumes_from: [billing-db-1]\n')), ['foreign-resource']);
    assert.deepEqual(blocked({ 'compose.yaml': 'services:\n  a:\n    image: a:1\n    volumes_from: [b]\n  b:\n    image: a:1\n' }), [], 'a service of the stack');
  });

  it('refuses a mount below a folder some service mounts writable, remotely only', () => {
    const tree = { 'data/x/keep': 'k', 'compose.yaml': 'services:\n  a:\n    image: a:1\n    volumes: ["./data:/data"]\n  b:\n    image: a:1\n    volumes: ["./data/x:/x"]\n' };
    assert.ok(!local(tree).some((f) => f.rule === 'host-path-escape'));
    const refused = gate(tree).blocking.filter((f) => f.rule === 'host-path-escape');
    assert.deepEqual(refused.map((f) => `${f.file}:${f.line}:${f.column}`), ['compose.yaml:7:15']);
    assert.match(refused[0]!.message, /below .*data, which service "a" mounts writable/);
    // Read-only outside, or side by side: nothing to plant.
    assert.deepEqual(blocked({ ...tree, 'compose.yaml': tree['compose.yaml'].replace('./data:/data', './data:/data:ro') }), []);
    assert.deepEqual(blocked({ ...tree, 'other/keep': 'k', 'compose.yaml': tree['compose.yaml'].replace('./data/x:/x', './other:/x') }), []);
  });

  it('answers a package the schema refuses instead of failing on it (build: ~)', () => {
    const outcome = gate({ 'compose.yaml': 'services:\n  a:\n    image: a:1\n    build: ~\n' });
    assert.ok(outcome.blocking.length > 0, 'refused');
  });

  it('reads build.ssh and additional_contexts in both their forms', () => {
    const build = (body: string) => ({ Dockerfile: 'FROM scratch\n', 'compose.yaml': `services:\n  a:\n    image: a:1\n    build:\n      context: .\n${body}` });
    const escapes = (tree: Record<string, string>) => gate(tree).blocking.filter((f) => f.rule === 'host-path-escape').length;
    assert.equal(escapes(build('      ssh:\n        key: /root/.ssh/id_rsa\n')), 1);
    assert.equal(escapes(build('      ssh: ["key=/root/.ssh/id_rsa"]\n')), 1);
    assert.equal(escapes(build('      additional_contexts: ["h=../../../../../../etc"]\n')), 1);
    assert.equal(escapes(build('      additional_contexts:\n        h: ./vendor\n')), 0);
  });
});
