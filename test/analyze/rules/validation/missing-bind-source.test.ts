import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/missing-bind-source.js';
import { join } from 'node:path';
import { buildContext } from '../../../../src/analyze/context.js';
import { toFinding } from '../../../../src/analyze/findings.js';
import type { Finding } from '../../../../src/analyze/types.js';
import { loadProject } from '../../../../src/compose/index.js';
import { writeTree } from '../../../helpers/tmp.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

/** Runs the rule on a project in a subfolder, so that `../` leaves the project directory. */
function runInSubfolder(files: Record<string, string>, project: string): Finding[] {
  const dir = join(writeTree(files), project);
  const load = loadProject({ workingDir: dir, env: {} });
  const ctx = buildContext({ dir, environment: { name: 'base', files: load.project!.files }, load: { ...load, project: load.project! } });
  return rule.check(ctx).map((raw) => toFinding(rule, raw, ctx));
}

describe('missing-bind-source', () => {
  it('valid: existing files and folders, named volumes, absolute host paths outside the project', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  proxy:',
        '    image: nginx:1.27',
        '    volumes:',
        '      - ./config/nginx.conf:/etc/nginx/nginx.conf:ro',
        '      - ./html:/usr/share/nginx/html',
        '      - /var/run/docker.sock:/var/run/docker.sock',
        '      - /srv/certs:/certs',
        '      - logs:/var/log/nginx',
        'volumes:',
        '  logs: {}',
      ),
      'config/nginx.conf': 'events {}\n',
      'html/index.html': '<h1>hi</h1>\n',
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: missing files and folders (seed 003), saying when the path looks like a file', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  nginx:',
        '    image: nginx:1.27',
        '    volumes:',
        '      - ./config/nginx/nginx.conf:/etc/nginx/nginx.conf:ro',
        '      - ./config/nginx/sites-enabled:/etc/nginx/sites-enabled:ro',
        '  db:',
        '    image: postgres:16',
        '    volumes:',
        '      - "./config/postgres-init.sql:/docker-entrypoint-initdb.d/init.sql"',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:6:9', 'compose.yaml:10:9']);
    assert.equal(
      findings[0]!.message,
      'service "nginx" bind-mounts ./config/nginx/nginx.conf, which does not exist; it looks like a file, but Docker will create an empty directory there and mount that on /etc/nginx/nginx.conf',
    );
    assert.equal(findings[0]!.fix, 'create the file ./config/nginx/nginx.conf (or correct the path) before starting "nginx"');
    assert.equal(findings[1]!.message, 'service "nginx" bind-mounts ./config/nginx/sites-enabled, which does not exist; Docker will create it as an empty, root-owned directory');
    // A missing file breaks the service; a missing folder is created empty by Docker, as data folders are meant to be.
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['nginx', 'critical'], ['nginx', 'low'], ['db', 'critical']]);
  });

  it('invalid: a long-syntax bind makes compose fail; a relative path above the project is still checked', () => {
    const files = {
      'app/compose.yaml': lines(
        'services:',
        '  app:',
        '    image: app:1.0',
        '    volumes:',
        '      - type: bind',
        '        source: ./data',
        '        target: /data',
        '      - ../shared/app.env:/app/.env:ro',
        '      - /srv/app/cache:/cache',
        '      - ${HOME}/.cache:/root/.cache',
      ),
    };
    const findings = runInSubfolder(files, 'app');
    assert.deepEqual(places(findings), ['compose.yaml:6:17', 'compose.yaml:8:9']);
    assert.match(findings[0]!.message, /bind-mounts \.\/data, which does not exist; `docker compose up` fails: bind source path does not exist$/);
    assert.match(findings[1]!.message, /bind-mounts \.\.\/shared\/app\.env, which does not exist; it looks like a file/);
  });
});
