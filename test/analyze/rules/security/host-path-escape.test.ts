import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadProject, confinedTo } from '../../../../src/compose/index.js';
import { buildContext } from '../../../../src/analyze/context.js';
import { toFinding } from '../../../../src/analyze/findings.js';
import rule from '../../../../src/analyze/rules/security/host-path-escape.js';
import { writeTree } from '../../../helpers/tmp.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('host-path-escape', () => {
  it('valid: project-relative binds and files, named volumes, remote build contexts: no finding', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  app:',
        '    build:',
        '      context: ./app',
        '      dockerfile: Dockerfile',
        '      additional_contexts:',
        '        base: docker-image://busybox:1.36',
        '    env_file: ./app.env',
        '    volumes:',
        '      - ./data:/data',
        '      - type: bind',
        '        source: ./conf',
        '        target: /conf',
        '      - cache:/cache',
        '  web:',
        '    build: https://github.com/example/web.git#main',
        'secrets:',
        '  token:',
        '    file: ./secrets/token',
        'volumes:',
        '  cache: {}',
      ),
      'app/Dockerfile': 'FROM scratch\n',
      'app.env': 'A=1\n',
      'secrets/token': 'x\n',
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: `..`, absolute and `~` binds in short and long syntax, each at its source, graded by sensitivity', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  app:',
        '    image: app:1',
        '    volumes:',
        '      - ../../../../../../../../:/host',
        '      - /srv/www:/www:ro',
        '      - type: bind',
        '        source: /etc',
        '        target: /host-etc',
        '      - ~/.ssh:/keys:ro',
      ),
    };
    const findings = runRule(rule, { files, env: { HOME: '/home/someone' } });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:6:9', 'compose.yaml:8:17', 'compose.yaml:10:9']);
    assert.deepEqual(findings.map((f) => f.severity), ['critical', 'low', 'critical', 'critical']);
    assert.match(findings[0]!.message, /^service "app" binds \/, outside the project folder: the host's whole filesystem$/);
    assert.match(findings[3]!.message, /\/home\/someone\/\.ssh/);
  });

  it('invalid: interpolation from the project .env and anchors with merge keys lead out too', () => {
    const files = {
      '.env': 'UP=../../../../../../..\n',
      'compose.yaml': lines(
        'x-mounts: &mounts',
        '  volumes:',
        '    - ${UP}/etc:/e',
        'services:',
        '  app:',
        '    <<: *mounts',
        '    image: app:1',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:7']);
    assert.equal(findings[0]!.severity, 'critical');
  });

  it('invalid: secrets and configs file:, env_file, label_file, build context, Dockerfile and additional contexts', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  app:',
        '    build:',
        '      context: /etc',
        '      dockerfile: ../Dockerfile',
        '      additional_contexts:',
        '        extra: /root',
        '    env_file: /etc/environment',
        '    label_file: ../labels',
        'secrets:',
        '  shadow:',
        '    file: /etc/shadow',
        'configs:',
        '  hosts:',
        '    file: ../../hosts',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), [
      'compose.yaml:8:15',
      'compose.yaml:9:17',
      'compose.yaml:4:16',
      'compose.yaml:5:19',
      'compose.yaml:7:16',
      'compose.yaml:12:11',
      'compose.yaml:15:11',
    ]);
    assert.match(findings[5]!.message, /reads the secret "shadow" from \/etc\/shadow, outside the project folder: the host's password hashes/);
  });

  it('invalid: a link inside the project that points out is critical whatever it reaches', () => {
    const dir = writeTree({ 'compose.yaml': lines('services:', '  app:', '    image: app:1', '    volumes:', '      - ./data:/data') });
    symlinkSync('/srv', join(dir, 'data'));
    const load = loadProject({ workingDir: dir, env: {} });
    const ctx = buildContext({ dir, environment: { name: 'base', files: load.project!.files }, load: { ...load, project: load.project! } });
    const findings = rule.check(ctx).map((raw) => toFinding(rule, raw, ctx));
    assert.deepEqual(places(findings), ['compose.yaml:5:9']);
    assert.equal(findings[0]!.severity, 'critical');
    assert.match(findings[0]!.message, /through a link inside the project/);
  });

  it('invalid: include and extends of files outside the folder: read locally and reported, refused unread when confined', () => {
    const root = writeTree({
      'shared/base.yaml': lines('services:', '  base:', '    image: base:1'),
      'shared/more.yaml': lines('services:', '  more:', '    image: more:1'),
      'project/compose.yaml': lines('include:', '  - ../shared/more.yaml', 'services:', '  app:', '    extends:', '      file: ../shared/base.yaml', '      service: base'),
    });
    const dir = join(root, 'project');
    const local = loadProject({ workingDir: dir, env: {} });
    const localCtx = buildContext({ dir, environment: { name: 'base', files: local.project!.files }, load: { ...local, project: local.project! } });
    assert.deepEqual(places(rule.check(localCtx).map((raw) => toFinding(rule, raw, localCtx))).sort(), ['../shared/base.yaml:1:1', '../shared/more.yaml:1:1']);

    const confined = loadProject({ workingDir: dir, env: {}, confine: confinedTo([dir]) });
    assert.equal(confined.project?.services['more'], undefined, 'the included file was not read');
    const ctx = buildContext({ dir, environment: { name: 'base', files: confined.project!.files }, load: { ...confined, project: confined.project! } });
    const findings = rule.check(ctx).map((raw) => toFinding(rule, raw, ctx));
    // The include names the file and, implicitly, that folder's .env: both refused unread, one finding.
    assert.deepEqual(places(findings), ['compose.yaml:2:5', 'compose.yaml:6:7']);
    assert.equal(findings[0]!.message, `${root}/shared/.env and ${root}/shared/more.yaml are outside the project folder and were not read: the project reaches host files outside its folder`);
    assert.match(findings[1]!.message, /shared\/base\.yaml is outside the project folder and was not read/);
    assert.ok(findings.every((f) => f.severity === 'critical'));
  });
});
