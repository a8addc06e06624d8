import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/reliability/healthcheck-tool-missing.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('healthcheck-tool-missing', () => {
  it('valid: tools the image has, tools the Dockerfile installs, unknown images, exec-form probes, disabled checks', () => {
    const compose = lines(
      'services:',
      '  proxy:',
      '    image: nginx:1.27',
      '    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost/"]}',
      '  edge:',
      '    image: alpine:3.20',
      '    healthcheck: {test: "wget -q --spider http://localhost:8080/ || exit 1"}',
      '  api:',
      '    build: ./api',
      '    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8000/health"]}',
      '  static:',
      '    image: gcr.io/distroless/static-debian12:nonroot',
      '    healthcheck: {test: ["CMD", "/app/healthcheck"]}',
      '  debug:',
      '    image: gcr.io/distroless/base-debian12:debug',
      '    healthcheck: {test: ["CMD-SHELL", "wget -qO- http://localhost:9000/ready"]}',
      '  full:',
      '    image: python:3.12',
      '    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:5000/"]}',
      '  off:',
      '    image: gcr.io/distroless/static',
      '    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost/"], disable: true}',
    );
    const dockerfile = lines(
      'FROM python:3.12-slim',
      'RUN apt-get update \\',
      ' && apt-get install -y --no-install-recommends curl \\',
      ' && rm -rf /var/lib/apt/lists/*',
      'CMD ["uvicorn", "app:app"]',
    );
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, 'api/Dockerfile': dockerfile } }), []);
  });

  it('invalid: curl on distroless and alpine, no shell on scratch, curl never installed on a slim base', () => {
    const compose = lines(
      'services:',
      '  api:',
      '    image: gcr.io/distroless/static-debian12',
      '    healthcheck:',
      '      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]',
      '  edge:',
      '    image: alpine:3.20',
      '    healthcheck:',
      '      test: curl -fsS http://localhost:8081/ping || exit 1',
      '  gateway:',
      '    build: ./gateway',
      '    healthcheck:',
      '      test: ["CMD-SHELL", "curl -f http://localhost:9000/health"]',
      '  web:',
      '    build: {context: ./web, dockerfile: web.Dockerfile}',
      '    healthcheck:',
      '      test: ["CMD", "curl", "-f", "http://localhost:3000/"]',
      '  proxy:',
      '    image: cgr.dev/chainguard/static:latest',
      '    healthcheck:',
      '      test: ["CMD", "wget", "-q", "--spider", "http://localhost/"]',
    );
    const gateway = lines('FROM golang:1.22 AS build', 'RUN go build -o /gateway .', 'FROM scratch', 'COPY --from=build /gateway /gateway', 'ENTRYPOINT ["/gateway"]');
    const web = lines('FROM node:20-slim', 'RUN npm ci', 'CMD ["node", "server.js"]');
    const findings = runRule(rule, { files: { 'compose.yaml': compose, 'gateway/Dockerfile': gateway, 'web/web.Dockerfile': web } });
    assert.deepEqual(places(findings), [
      'compose.yaml:5:21',
      'compose.yaml:9:13',
      'compose.yaml:13:27',
      'compose.yaml:17:21',
      'compose.yaml:21:21',
    ]);
    assert.deepEqual(findings.map((f) => f.service), ['api', 'edge', 'gateway', 'web', 'proxy']);
    assert.equal(
      findings[0]!.message,
      'service "api": the healthcheck runs curl, but gcr.io/distroless/static-debian12 has no curl, so the check always fails and the service never becomes healthy',
    );
    assert.equal(findings[1]!.fix, 'use the image\'s wget instead: test: ["CMD", "wget", "-q", "--spider", "http://localhost:8081/ping"]');
    assert.match(findings[2]!.message, /uses CMD-SHELL, which needs \/bin\/sh, but the image built from gateway\/Dockerfile \(FROM scratch\) has no shell/);
    assert.match(
      findings[3]!.message,
      /the image built from web\/web\.Dockerfile \(FROM node:20-slim\) has no curl \(its base image lacks it and the Dockerfile never installs it\)/,
    );
    assert.match(findings[3]!.fix ?? '', /apt-get install -y --no-install-recommends curl/);
    assert.match(findings[4]!.message, /cgr\.dev\/chainguard\/static:latest has no wget/);
    assert.ok(findings.every((f) => f.severity === 'high'));
  });
});
