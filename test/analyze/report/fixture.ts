import type { EnvironmentReport, InventoryService, Report } from '../../../src/analyze/report-types.js';
import type { RuleInfo } from '../../../src/analyze/report/index.js';

// A report as the analyzer would produce it for a small two-service project: a proxy that is
// published, privileged and mounts the docker socket, in front of a hardened API. Written by
// hand so the formatter tests do not depend on the rules or the loader.

export function service(overrides: Partial<InventoryService> & { name: string }): InventoryService {
  return {
    image: null,
    build: null,
    ports: [],
    volumes: [],
    networks: [],
    network_mode: null,
    environment: {},
    healthcheck: null,
    depends_on: {},
    user: null,
    privileged: false,
    read_only: false,
    cap_add: [],
    cap_drop: [],
    security_opt: [],
    resources: { cpus: null, memory: null, pids: null },
    restart: null,
    exposure: 'internal',
    security_level: 'low',
    ...overrides,
  };
}

export function baseEnvironment(): EnvironmentReport {
  return {
    name: 'base',
    files: ['compose.yaml'],
    inventory: {
      services: [
        service({
          name: 'api',
          build: { context: '.', dockerfile: 'Dockerfile', target: null },
          ports: [{ host_ip: '127.0.0.1', published: '8000', target: 8000, protocol: 'tcp', external: false }],
          volumes: [{ type: 'volume', source: 'api_data', target: '/data', read_only: false, exists: null }],
          networks: ['backend', 'frontend'],
          environment: { CALLBACK_URL: 'http://web:80/hook', SECRET_KEY: '***' },
          healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:8000/health'], interval: '30s' },
          user: '1000:1000',
          read_only: true,
          cap_drop: ['ALL'],
          security_opt: ['no-new-privileges:true'],
          resources: { cpus: '1.0', memory: '512M', pids: 256 },
          restart: 'unless-stopped',
          exposure: 'internal',
          security_level: 'high',
        }),
        service({
          name: 'web',
          image: 'nginx:latest',
          ports: [{ host_ip: '0.0.0.0', published: '8080', target: 80, protocol: 'tcp', external: true }],
          volumes: [
            { type: 'bind', source: './nginx.conf', target: '/etc/nginx/nginx.conf', read_only: true, exists: true },
            { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', read_only: false, exists: true },
          ],
          networks: ['frontend'],
          depends_on: { api: 'service_healthy' },
          privileged: true,
          exposure: 'external',
          security_level: 'critical',
        }),
      ],
      networks: [
        { name: 'frontend', internal: false, driver: 'bridge', subnets: ['172.20.0.0/24'], external: false, services: ['api', 'web'] },
        { name: 'backend', internal: true, driver: 'bridge', subnets: [], external: false, services: ['api'] },
      ],
      volumes: [{ name: 'api_data', external: false, services: ['api'] }],
      secrets: [{ name: 'db_password', external: false, file: './secrets/db_password.txt', services: ['api'] }],
      configs: [],
    },
    graph: {
      startup_order: [['api'], ['web']],
      edges: [
        { from: 'web', to: 'api', kind: 'depends_on', port: null },
        { from: 'web', to: 'api', kind: 'config-file', port: 8000 },
        { from: 'api', to: 'web', kind: 'env-url', port: 80 },
      ],
    },
    findings: [
      {
        rule: 'latest-tag',
        severity: 'medium',
        service: 'web', services: ['web'],
        file: 'compose.yaml',
        line: 16,
        column: 12,
        message: 'service "web" uses the floating tag `nginx:latest`',
        fix: 'pin a version, e.g. `nginx:1.27-alpine`, or a digest',
      },
      {
        rule: 'privileged',
        severity: 'critical',
        service: 'web', services: ['web'],
        file: 'compose.yaml',
        line: 18,
        column: 17,
        message: 'service "web" runs privileged: it has full access to the host',
        fix: 'remove `privileged: true` and add only the capabilities it needs with cap_add',
        cis: ['5.5'],
      },
      {
        rule: 'docker-socket-mount',
        severity: 'critical',
        service: 'web', services: ['web'],
        file: 'compose.yaml',
        line: 22,
        column: 9,
        message: 'service "web" mounts the Docker socket /var/run/docker.sock: root on the host',
        fix: null,
      },
      {
        rule: 'hardcoded-secret',
        severity: 'high',
        service: 'api', services: ['api'],
        file: '.env',
        line: 3,
        column: 1,
        message: 'SECRET_KEY holds a literal secret',
        fix: 'read it from a secret file (`SECRET_KEY_FILE=/run/secrets/secret_key`)',
      },
      {
        rule: 'missing-healthcheck',
        severity: 'medium',
        service: 'web', services: ['web'],
        file: 'compose.yaml',
        line: 15,
        column: 3,
        message: 'service "web" has no health check',
        fix: 'add a healthcheck',
      },
      {
        rule: 'missing-log-rotation',
        severity: 'low',
        service: 'api', services: ['api'],
        file: 'compose.yaml',
        line: 2,
        column: 3,
        message: 'service "api" logs without rotation',
        fix: 'set logging.options.max-size and max-file',
      },
    ],
    scores: { overall: 4.5, security: 2, production_readiness: 7.5 },
  };
}

export function sampleReport(): Report {
  return { version: 1, tool: { name: 'shipshape', version: '0.1.0' }, projects: [{ dir: '.', environments: [baseEnvironment()] }] };
}

const rule = (id: string, severity: RuleInfo['severity'], category: RuleInfo['category'], summary: string, cis?: RuleInfo['cis']): RuleInfo => ({
  id,
  severity,
  category,
  ...(cis ? { cis } : {}),
  docs: {
    summary,
    why: `Why ${id} matters.`,
    fix: `How to fix ${id}.`,
    example: `services:\n  app:\n    image: app:1.0  # ${id}\n`,
  },
});

export const RULES: readonly RuleInfo[] = [
  rule('privileged', 'critical', 'security', 'A service runs with `privileged: true`.', ['5.5']),
  rule('docker-socket-mount', 'critical', 'security', 'A service mounts the Docker socket.'),
  rule('hardcoded-secret', 'high', 'security', 'A secret is written in plain text.'),
  rule('latest-tag', 'medium', 'security', 'An image uses a floating tag.'),
  rule('missing-healthcheck', 'medium', 'reliability', 'A service has no health check.'),
  rule('missing-log-rotation', 'low', 'reliability', 'A service logs without rotation.'),
  rule('dockerfile-add', 'medium', 'dockerfile', 'A Dockerfile uses ADD.'),
];
