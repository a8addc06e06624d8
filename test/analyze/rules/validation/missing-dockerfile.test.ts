import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/missing-dockerfile.js';
import { join } from 'node:path';
import { buildContext } from '../../../../src/analyze/context.js';
import { toFinding } from '../../../../src/analyze/findings.js';
import type { Finding } from '../../../../src/analyze/types.js';
import { loadProject } from '../../../../src/compose/index.js';
import { writeTree } from '../../../helpers/tmp.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const FROM = 'FROM alpine:3.20\n';

/** Runs the rule on a project in a subfolder, whose build context lies above it. */
function runInSubfolder(files: Record<string, string>, project: string): Finding[] {
  const dir = join(writeTree(files), project);
  const load = loadProject({ workingDir: dir, env: {} });
  const ctx = buildContext({ dir, environment: { name: 'base', files: load.project!.files }, load: { ...load, project: load.project! } });
  return rule.check(ctx).map((raw) => toFinding(rule, raw, ctx));
}

describe('missing-dockerfile', () => {
  it('valid: the default and a named Dockerfile exist; an inline Dockerfile; a missing context is another rule', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    build: ./api',
        '  web:',
        '    build: {context: ., dockerfile: docker/web.Dockerfile}',
        '  tool:',
        '    build: {context: ., dockerfile_inline: "FROM alpine:3.20"}',
        '  gone:',
        '    build: ./gone',
      ),
      'api/Dockerfile': FROM,
      'docker/web.Dockerfile': FROM,
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: misplaced and renamed Dockerfiles (seed 003) get the closest existing file', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  dashboard:',
        '    build:',
        '      context: .',
        '      dockerfile: infrastructure/docker/dockerfiles/dashboard.Dockerfile',
        '  mcp:',
        '    build:',
        '      context: .',
        '      dockerfile: infrastructure/docker/dockerfiles/mcp.Dockerfile',
        '  agents:',
        '    build:',
        '      context: .',
        '      dockerfile: infrastructure/docker/dockerfiles/agents.Dockerfile',
      ),
      'infrastructure/docker/dockerfiles/backend.Dockerfile': FROM,
      'infrastructure/docker/dashboard.Dockerfile': FROM,
      'infrastructure/docker/dashboard.dev.Dockerfile': FROM,
      'infrastructure/docker/mcp-server.Dockerfile': FROM,
      'infrastructure/docker/agent-coordinator.Dockerfile': FROM,
      'node_modules/agents/Dockerfile': FROM,
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:19', 'compose.yaml:9:19', 'compose.yaml:13:19']);
    assert.equal(
      findings[0]!.message,
      'service "dashboard" builds with ./infrastructure/docker/dockerfiles/dashboard.Dockerfile, which does not exist; did you mean infrastructure/docker/dashboard.Dockerfile?',
    );
    assert.equal(
      findings[0]!.fix,
      'did you mean infrastructure/docker/dashboard.Dockerfile? Write `dockerfile: infrastructure/docker/dashboard.Dockerfile` (relative to the context .), or create ./infrastructure/docker/dockerfiles/dashboard.Dockerfile',
    );
    assert.match(findings[1]!.message, /did you mean infrastructure\/docker\/mcp-server\.Dockerfile\?$/);
    assert.match(findings[2]!.message, /did you mean infrastructure\/docker\/agent-coordinator\.Dockerfile\?$/);
    assert.equal(findings[0]!.severity, 'critical');
  });

  it('invalid: the default Dockerfile is missing; one in a docker/ folder of the context, or named for the service, is suggested', () => {
    const files = {
      'compose.yaml': lines('services:', '  api:', '    build: ./api', '  backend:', '    build: .'),
      'api/docker/Dockerfile': FROM,
      'services/backend/Dockerfile': FROM,
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:12', 'compose.yaml:5:12']);
    assert.match(findings[0]!.message, /builds with \.\/api\/Dockerfile, which does not exist; did you mean api\/docker\/Dockerfile\?$/);
    assert.match(findings[0]!.fix!, /Write `dockerfile: docker\/Dockerfile` \(relative to the context \.\/api\)/);
    assert.match(findings[1]!.message, /did you mean services\/backend\/Dockerfile\?$/);
  });

  it('invalid: a context above the project (seed 003 layout): the suggestion is written relative to the context', () => {
    const files = {
      'infrastructure/docker/compose/docker-compose.yml': lines(
        'services:',
        '  mcp-server:',
        '    build:',
        '      context: ../../..',
        '      dockerfile: infrastructure/docker/dockerfiles/mcp.Dockerfile',
      ),
      'infrastructure/docker/mcp-server.Dockerfile': FROM,
      'infrastructure/docker/dockerfiles/backend.Dockerfile': FROM,
      'apps/mcp/package.json': '{}',
    };
    const findings = runInSubfolder(files, 'infrastructure/docker/compose');
    assert.deepEqual(places(findings), ['docker-compose.yml:5:19']);
    assert.equal(
      findings[0]!.message,
      'service "mcp-server" builds with ../dockerfiles/mcp.Dockerfile, which does not exist; did you mean ../mcp-server.Dockerfile?',
    );
    assert.match(findings[0]!.fix!, /Write `dockerfile: infrastructure\/docker\/mcp-server\.Dockerfile` \(relative to the context \.\.\/\.\.\/\.\.\)/);
  });

  it('invalid: an unrelated Dockerfile is not suggested', () => {
    const files = { 'compose.yaml': lines('services:', '  backend:', '    build: .'), 'frontend/Dockerfile': FROM };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:12']);
    assert.equal(findings[0]!.message, 'service "backend" builds with ./Dockerfile, which does not exist, and no similar Dockerfile was found in the project');
  });
});
