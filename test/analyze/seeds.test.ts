import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { FORMATS, RULES, analyze, render, type Format } from '../../src/analyze/index.js';
import type { EnvironmentReport, Finding, GraphEdge, Inventory, InventoryService, Report } from '../../src/analyze/index.js';
import { fixturePath } from '../helpers/fixtures.js';

// The projects of test/fixtures/seeds, rebuilt from the hand-written seed reports (see the
// README there). Each block states what the analyzer must find, must not find, and what the
// inventory, graph and scores are.

const cache = new Map<string, Report>();

function seed(name: string): Report {
  let report = cache.get(name);
  if (!report) {
    const result = analyze({ root: fixturePath('seeds', name), rules: RULES, version: 'test', env: {} });
    assert.deepEqual(result.problems, [], `analyzing seeds/${name} reported input problems`);
    report = result.report;
    cache.set(name, report);
  }
  return report;
}

function environment(report: Report, dir: string, name: string): EnvironmentReport {
  const project = report.projects.find((p) => p.dir === dir);
  assert.ok(project, `no project "${dir}" in ${report.projects.map((p) => p.dir).join(', ')}`);
  const env = project.environments.find((e) => e.name === name);
  assert.ok(env, `no environment "${name}" in ${project.environments.map((e) => e.name).join(', ')}`);
  return env;
}

/** The services of each exposure zone and those on two or more networks (bridges), sorted by name. */
function segmentationZones(inventory: Inventory) {
  const names = (exposure: InventoryService['exposure']) => inventory.services.filter((s) => s.exposure === exposure).map((s) => s.name).sort();
  return {
    external: names('external'),
    internal: names('internal'),
    isolated: names('isolated'),
    bridges: inventory.services
      .filter((s) => s.networks.length >= 2)
      .map((s) => ({ service: s.name, networks: [...s.networks].sort() }))
      .sort((a, b) => a.service.localeCompare(b.service)),
  };
}

const place = (f: Finding): string => `${f.file}:${f.line}:${f.column}`;

/** `service file:line:column` of every finding of a rule, sorted: one readable line per finding. */
function found(env: EnvironmentReport, rule: string): string[] {
  return env.findings
    .filter((f) => f.rule === rule)
    .map((f) => `${f.service ?? '-'} ${place(f)}`)
    .sort();
}

/** The services a rule reports, sorted and unique. */
function servicesOf(env: EnvironmentReport, rule: string): string[] {
  return [...new Set(env.findings.filter((f) => f.rule === rule).map((f) => f.service ?? '-'))].sort();
}

function only(env: EnvironmentReport, rule: string, service?: string): Finding {
  const matches = env.findings.filter((f) => f.rule === rule && (service === undefined || f.service === service));
  assert.equal(matches.length, 1, `expected one ${rule}${service ? ` for ${service}` : ''}, got ${matches.map(place).join(', ') || 'none'}`);
  return matches[0]!;
}

function service(env: EnvironmentReport, name: string): InventoryService {
  const s = env.inventory.services.find((x) => x.name === name);
  assert.ok(s, `no service "${name}" in the inventory`);
  return s;
}

function exposures(env: EnvironmentReport): Record<string, string> {
  return Object.fromEntries(env.inventory.services.map((s) => [s.name, s.exposure]));
}

const edge = (e: GraphEdge): string => `${e.from} -> ${e.to} ${e.kind}${e.port === null ? '' : ` ${e.port}`}`;
const edges = (env: EnvironmentReport): string[] => env.graph.edges.map(edge).sort();

/** The text of a project file at a finding's line, from its column: ties a position to what is written there. */
function textAt(seedName: string, projectDir: string, f: Pick<Finding, 'file' | 'line' | 'column'>): string {
  const lines = readFileSync(join(fixturePath('seeds', seedName), projectDir, f.file), 'utf8').split(/\r?\n/);
  return (lines[f.line - 1] ?? '').slice(f.column - 1);
}

function assertScoresWellFormed(env: EnvironmentReport): void {
  for (const [name, value] of Object.entries(env.scores)) {
    assert.ok(value >= 0 && value <= 10, `${env.name} ${name} = ${value}`);
    assert.equal(Math.round(value * 10) / 10, value, `${env.name} ${name} has one decimal`);
  }
}

/** Findings in a file outside the project's folder (`../../../tmp/x`), for a project that keeps everything inside. */
function outsideProject(env: EnvironmentReport): Finding[] {
  return env.findings.filter((f) => f.file.startsWith('../') || f.file.startsWith('/'));
}

// ---------------------------------------------------------------------------------------------

describe('seed 003: ToolBoxAI validation report', () => {
  const SEED = '003-toolboxai';
  const DIR = 'infrastructure/docker/compose';
  const base = () => environment(seed(SEED), DIR, 'base');
  const dev = () => environment(seed(SEED), DIR, 'dev');
  const prod = () => environment(seed(SEED), DIR, 'prod');
  const all = () => [base(), dev(), prod()];

  it('finds the compose folder below the repository root, with a base and two overlay environments', () => {
    const report = seed(SEED);
    assert.deepEqual(
      report.projects.map((p) => [p.dir, p.environments.map((e) => [e.name, e.files])]),
      [[DIR, [['base', ['docker-compose.yml']], ['dev', ['docker-compose.yml', 'docker-compose.dev.yml']], ['prod', ['docker-compose.yml', 'docker-compose.prod.yml']]]]],
    );
  });

  it('reports the second "<<" of the backend at line 215 with the first at line 168, in every environment', () => {
    for (const env of all()) {
      const f = only(env, 'yaml-duplicate-key');
      assert.equal(f.severity, 'critical');
      assert.equal(f.service, 'backend');
      assert.equal(place(f), 'docker-compose.yml:215:5');
      assert.equal(textAt(SEED, DIR, f), '<<: *resource-limits');
      assert.match(f.message, /"<<"/);
      assert.match(f.message, /line 168\b/);
      assert.equal(textAt(SEED, DIR, { file: 'docker-compose.yml', line: 168, column: 5 }), '<<: *restart-policy');
    }
  });

  it('fixes the merge keys with the anchors the service uses', () => {
    assert.match(only(base(), 'yaml-duplicate-key').fix ?? '', /<<: \[\*restart-policy, \*resource-limits\]/);
  });

  it('still merges both anchors into the backend, as compose would with one `<<` list', () => {
    const backend = service(base(), 'backend');
    assert.equal(backend.restart, 'unless-stopped');
    assert.deepEqual(backend.resources, { cpus: '1.0', memory: '1G', pids: null });
  });

  it('suggests the Dockerfile each misplaced build meant', () => {
    const expected = [
      ['mcp-server', 'docker-compose.yml:111:19', 'infrastructure/docker/mcp-server.Dockerfile'],
      ['agent-coordinator', 'docker-compose.yml:139:19', 'infrastructure/docker/agent-coordinator.Dockerfile'],
      ['dashboard', 'docker-compose.yml:221:19', 'infrastructure/docker/dashboard.Dockerfile'],
    ] as const;
    for (const env of [base(), prod()]) {
      assert.deepEqual(servicesOf(env, 'missing-dockerfile'), ['agent-coordinator', 'dashboard', 'mcp-server']);
      for (const [name, where, suggestion] of expected) {
        const f = only(env, 'missing-dockerfile', name);
        assert.equal(place(f), where);
        assert.equal(f.severity, 'critical');
        assert.match(textAt(SEED, DIR, f), /^infrastructure\/docker\/dockerfiles\/(mcp|agents|dashboard)\.Dockerfile$/);
        assert.ok(f.fix?.includes(`dockerfile: ${suggestion}\``), `${name}: ${f.fix}`);
      }
    }
    // The backend's Dockerfile is where compose looks; the dev overlay points the dashboard at its dev Dockerfile.
    assert.deepEqual(servicesOf(dev(), 'missing-dockerfile'), ['agent-coordinator', 'mcp-server']);
  });

  it('reports the four missing configuration files, not the redis.conf that exists', () => {
    for (const env of all()) {
      assert.deepEqual(found(env, 'missing-bind-source'), [
        'nginx docker-compose.yml:253:9',
        'nginx docker-compose.yml:254:9',
        'postgres docker-compose.yml:73:9',
        'prometheus docker-compose.yml:282:9',
      ]);
    }
    const sources = found(base(), 'missing-bind-source').map((line) => {
      const [, file, l, c] = /^\S+ (.+):(\d+):(\d+)$/.exec(line)!;
      return textAt(SEED, DIR, { file: file!, line: Number(l), column: Number(c) }).split(':')[0];
    });
    assert.deepEqual(sources.sort(), [
      '../config/nginx/nginx.conf',
      '../config/nginx/sites-enabled',
      '../config/postgres-init.sql',
      '../config/prometheus/prometheus.yml',
    ]);
  });

  it('reports the hardcoded redis password at its line in redis.conf, and no other secret', () => {
    for (const env of all()) {
      const f = only(env, 'hardcoded-secret');
      assert.equal(f.service, 'redis');
      assert.equal(f.severity, 'high');
      assert.equal(place(f), '../config/redis/redis.conf:9:13');
      assert.equal(textAt(SEED, DIR, f), 'redis_secure_pass_change_me');
      assert.ok(!f.message.includes('redis_secure_pass_change_me'), 'the message masks the password');
    }
  });

  it('names the redis.conf as the project does, not by an absolute path of this machine', () => {
    const f = only(base(), 'hardcoded-secret');
    assert.ok(f.message.startsWith('../config/redis/redis.conf'), f.message);
  });

  it('does not report ${REDIS_PASSWORD}, $$REDIS_PASSWORD, *_FILE or /run/secrets values as secrets', () => {
    for (const env of all()) {
      const inCompose = env.findings.filter((f) => (f.rule === 'hardcoded-secret' || f.rule === 'default-credential') && f.file.startsWith('docker-compose'));
      assert.deepEqual(inCompose.map(place), []);
    }
  });

  it('reports REDIS_PASSWORD as unset (the environment is empty) once', () => {
    const f = only(base(), 'unset-variable');
    assert.equal(place(f), 'docker-compose.yml:15:14');
    assert.match(f.message, /"REDIS_PASSWORD"/);
  });

  it('reports the dev overlay volumes that are never declared', () => {
    assert.deepEqual(found(dev(), 'undefined-volume'), ['backend docker-compose.dev.yml:16:9', 'nginx docker-compose.dev.yml:37:9']);
    assert.match(only(dev(), 'undefined-volume', 'backend').message, /"backend_logs"/);
    assert.match(only(dev(), 'undefined-volume', 'nginx').message, /"nginx_logs"/);
    assert.deepEqual(found(base(), 'undefined-volume'), []);
    assert.deepEqual(found(prod(), 'undefined-volume'), []);
  });

  it('reports each hardening the dev overlay really removes, at the overlay line', () => {
    assert.deepEqual(found(dev(), 'dev-override-weakens-security'), [
      'backend docker-compose.dev.yml:20:11', // user: root
      'backend docker-compose.dev.yml:21:16', // read_only: false
      'dashboard docker-compose.dev.yml:31:5', // security_opt: !reset [] (no-new-privileges)
      'dashboard docker-compose.dev.yml:32:5', // cap_drop: !reset []
      'dashboard docker-compose.dev.yml:33:16', // read_only: false
    ]);
    assert.deepEqual(found(base(), 'dev-override-weakens-security'), []);
    assert.deepEqual(found(prod(), 'dev-override-weakens-security'), []);
  });

  it('knows that `cap_drop: []` and `security_opt: []` in an overlay drop nothing (compose appends lists)', () => {
    const backend = service(dev(), 'backend');
    assert.deepEqual(backend.cap_drop, ['ALL']);
    assert.deepEqual(backend.security_opt, ['no-new-privileges:true']);
    assert.equal(backend.user, 'root');
    assert.equal(backend.read_only, false);
    const dashboard = service(dev(), 'dashboard');
    assert.deepEqual(dashboard.cap_drop, []);
    assert.deepEqual(dashboard.security_opt, []);
    const backendMessages = dev().findings.filter((f) => f.service === 'backend' && f.rule === 'dev-override-weakens-security').map((f) => f.message);
    assert.ok(!backendMessages.some((m) => /no longer drops|no-new-privileges/.test(m)), backendMessages.join('\n'));
    assert.deepEqual(servicesOf(dev(), 'no-cap-drop'), ['dashboard']);
    assert.deepEqual(servicesOf(dev(), 'root-user'), ['backend']);
  });

  it('reports the dev overlay opening the database and cache networks', () => {
    const networks = dev().findings.filter((f) => f.rule === 'internal-network-exposed' && f.service === null);
    assert.deepEqual(networks.map(place).sort(), ['docker-compose.dev.yml:42:15', 'docker-compose.dev.yml:44:15']);
    assert.match(networks.find((f) => f.line === 42)!.message, /"database"/);
    assert.match(networks.find((f) => f.line === 44)!.message, /"cache"/);
    assert.deepEqual(found(base(), 'internal-network-exposed'), []);
  });

  it('reports the curl health check of the production image that never installs curl, not the dev one', () => {
    for (const env of [base(), prod()]) {
      const f = only(env, 'healthcheck-tool-missing');
      assert.equal(f.service, 'backend');
      assert.equal(place(f), 'docker-compose.yml:214:21');
      assert.equal(textAt(SEED, DIR, f).slice(0, 6), '"curl"');
    }
    assert.deepEqual(found(dev(), 'healthcheck-tool-missing'), []);
  });

  it('reports the whole-context COPY without .dockerignore in the backend Dockerfile', () => {
    for (const env of [base(), prod()]) {
      assert.ok(found(env, 'dockerfile-broad-copy').includes('backend ../dockerfiles/backend.Dockerfile:41:1'));
    }
    assert.ok(found(dev(), 'dockerfile-broad-copy').includes('backend ../dockerfiles/backend.Dockerfile:33:1'));
  });

  it('reports only the COPY of the stages the build target builds', () => {
    assert.deepEqual(found(base(), 'dockerfile-broad-copy'), ['backend ../dockerfiles/backend.Dockerfile:41:1']);
    assert.deepEqual(found(dev(), 'dockerfile-broad-copy'), ['backend ../dockerfiles/backend.Dockerfile:33:1']);
  });

  it('finds no root user, missing health check, capability or privilege problem in the hardened base', () => {
    for (const env of [base(), prod()]) {
      for (const rule of ['root-user', 'missing-healthcheck', 'no-cap-drop', 'no-new-privileges-missing', 'privileged', 'dangerous-capability', 'writable-rootfs']) {
        assert.deepEqual(found(env, rule), [], `${env.name}: ${rule}`);
      }
    }
    for (const env of all()) {
      for (const rule of ['missing-healthcheck', 'exposed-database-port', 'dependency-cycle', 'unknown-dependency', 'schema', 'yaml-syntax', 'missing-build-context', 'healthy-without-healthcheck', 'docker-socket-mount']) {
        assert.deepEqual(found(env, rule), [], `${env.name}: ${rule}`);
      }
    }
  });

  it('inventories ports, exposure and segmentation as the seed describes them', () => {
    const env = base();
    assert.deepEqual(service(env, 'nginx').ports, [
      { host_ip: '0.0.0.0', published: '80', target: 80, protocol: 'tcp', external: true },
      { host_ip: '0.0.0.0', published: '443', target: 443, protocol: 'tcp', external: true },
    ]);
    assert.deepEqual(service(env, 'grafana').ports, [{ host_ip: '127.0.0.1', published: '3000', target: 3000, protocol: 'tcp', external: false }]);
    assert.deepEqual(exposures(env), {
      postgres: 'isolated',
      redis: 'isolated',
      'mcp-server': 'isolated',
      'agent-coordinator': 'internal',
      backend: 'internal',
      dashboard: 'internal',
      nginx: 'external',
      prometheus: 'internal',
      grafana: 'internal',
    });
    assert.deepEqual(
      env.inventory.networks.map((n) => [n.name, n.internal, n.subnets]),
      [
        ['frontend', false, ['172.20.0.0/24']],
        ['backend', false, ['172.21.0.0/24']],
        ['database', true, ['172.22.0.0/24']],
        ['cache', true, ['172.23.0.0/24']],
        ['mcp', true, ['172.24.0.0/24']],
        ['monitoring', true, ['172.25.0.0/24']],
      ],
    );
    const members = Object.fromEntries(env.inventory.networks.map((n) => [n.name, n.services]));
    assert.deepEqual(members['database'], ['agent-coordinator', 'backend', 'mcp-server', 'postgres']);
    assert.deepEqual(members['cache'], ['agent-coordinator', 'backend', 'mcp-server', 'redis']);
    assert.deepEqual(
      env.inventory.volumes.map((v) => [v.name, v.services]),
      [['postgres_data', ['postgres']], ['redis_data', ['redis']], ['prometheus_data', ['prometheus']], ['grafana_data', ['grafana']]],
    );
    assert.deepEqual(
      env.inventory.secrets.map((s) => [s.name, s.external]),
      [['postgres_password', true], ['jwt_secret', true], ['grafana_admin_password', true]],
    );
  });

  it('inventories the hardening of each service', () => {
    const env = base();
    const backend = service(env, 'backend');
    assert.equal(backend.user, '1001:1001');
    assert.equal(backend.read_only, true);
    assert.equal(backend.privileged, false);
    assert.deepEqual(backend.cap_drop, ['ALL']);
    assert.deepEqual(backend.cap_add, ['NET_BIND_SERVICE']);
    assert.deepEqual(backend.security_opt, ['no-new-privileges:true']);
    assert.deepEqual(backend.healthcheck, {
      test: ['CMD', 'curl', '-f', 'http://localhost:8009/health'],
      interval: '30s',
      timeout: '10s',
      retries: 3,
      start_period: '40s',
    });
    assert.deepEqual(backend.depends_on, { postgres: 'service_healthy', redis: 'service_healthy', 'mcp-server': 'service_healthy' });
    assert.equal(backend.environment['DATABASE_PASSWORD_FILE'], '/run/secrets/postgres_password');
    assert.deepEqual(
      env.inventory.services.map((s) => [s.name, s.user]),
      [
        ['postgres', '70:70'],
        ['redis', '999:999'],
        ['mcp-server', '1003:1003'],
        ['agent-coordinator', '1003:1003'],
        ['backend', '1001:1001'],
        ['dashboard', '1002:1002'],
        ['nginx', '101:101'],
        ['prometheus', '65534:65534'],
        ['grafana', '472:472'],
      ],
    );
    for (const s of env.inventory.services) {
      assert.equal(s.read_only, true, s.name);
      assert.deepEqual(s.cap_drop, ['ALL'], s.name);
      assert.notEqual(s.healthcheck, null, s.name);
    }
    const redisConf = service(env, 'redis').volumes.find((v) => v.target === '/usr/local/etc/redis/redis.conf');
    assert.deepEqual([redisConf?.type, redisConf?.read_only, redisConf?.exists], ['bind', true, true]);
    const init = service(env, 'postgres').volumes.find((v) => v.target === '/docker-entrypoint-initdb.d/01-init.sql');
    assert.deepEqual([init?.type, init?.exists], ['bind', false]);
  });

  it('writes bind sources and build contexts outside the project as relative paths', () => {
    const env = base();
    const redisConf = service(env, 'redis').volumes.find((v) => v.target === '/usr/local/etc/redis/redis.conf');
    assert.equal(redisConf?.source, '../config/redis/redis.conf');
    assert.equal(service(env, 'backend').build?.context, '../../..');
  });

  it('inventories what each overlay changes', () => {
    const d = dev();
    assert.deepEqual(service(d, 'backend').ports, [{ host_ip: '0.0.0.0', published: '8009', target: 8009, protocol: 'tcp', external: true }]);
    assert.equal(service(d, 'backend').exposure, 'external');
    assert.equal(service(d, 'dashboard').exposure, 'external');
    assert.equal(service(d, 'postgres').exposure, 'internal');
    assert.equal(service(d, 'redis').exposure, 'internal');
    assert.deepEqual(
      d.inventory.networks.filter((n) => n.name === 'database' || n.name === 'cache').map((n) => [n.name, n.internal]),
      [['database', false], ['cache', false]],
    );
    assert.equal(service(d, 'backend').build?.target, 'development');
    const p = prod();
    assert.deepEqual(service(p, 'postgres').resources, { cpus: '4.0', memory: '4G', pids: null });
    assert.deepEqual(service(p, 'backend').resources, { cpus: '2.0', memory: '2G', pids: null });
    assert.equal(service(p, 'backend').environment['SECURE_HSTS_SECONDS'], '31536000');
    assert.deepEqual(exposures(p), exposures(base()));
  });

  it('draws the dependency and communication graph with its start levels', () => {
    for (const env of all()) {
      assert.deepEqual(env.graph.startup_order, [['postgres', 'prometheus', 'redis'], ['grafana', 'mcp-server'], ['agent-coordinator', 'backend'], ['dashboard'], ['nginx']]);
      assert.deepEqual(edges(env), [
        'agent-coordinator -> backend env-url 8009',
        'agent-coordinator -> mcp-server depends_on',
        'agent-coordinator -> mcp-server env-url 9877',
        'agent-coordinator -> postgres env-url 5432',
        'agent-coordinator -> redis env-url 6379',
        'backend -> agent-coordinator env-url 8888',
        'backend -> mcp-server depends_on',
        'backend -> mcp-server env-url 9877',
        'backend -> postgres depends_on',
        'backend -> postgres env-url 5432',
        'backend -> redis depends_on',
        'backend -> redis env-url 6379',
        'dashboard -> backend depends_on',
        'dashboard -> backend env-url 8009',
        'grafana -> prometheus depends_on',
        'mcp-server -> postgres env-url 5432',
        'mcp-server -> redis depends_on',
        'mcp-server -> redis env-url 6379',
        'nginx -> backend depends_on',
        'nginx -> dashboard depends_on',
      ]);
    }
  });

  it('scores it as the seed did: well hardened (security) but not deployable (production readiness)', () => {
    for (const env of all()) assertScoresWellFormed(env);
    const s = base().scores;
    assert.ok(s.security >= s.production_readiness, JSON.stringify(s));
    assert.ok(s.production_readiness <= 4, `critical validation findings cap readiness: ${s.production_readiness}`);
    // Within ±1.5 of the seed's own ratings: 7 overall, 8.5 security, 5 production readiness.
    for (const [score, rating] of [['overall', 7], ['security', 8.5], ['production_readiness', 5]] as const) {
      assert.ok(Math.abs(s[score] - rating) <= 1.5, `${score} ${s[score]} is not within 1.5 of the seed's ${rating}`);
    }
    assert.ok(dev().scores.security < s.security, 'the dev overlay lowers security');
    assert.deepEqual(prod().scores, s);
  });
});

// ---------------------------------------------------------------------------------------------

describe('seed 000: Astron-Agent container interfaces', () => {
  const SEED = '000-astron';
  const production = () => environment(seed(SEED), '.', 'production');
  const dev = () => environment(seed(SEED), '.', 'base');

  it('has the development file (dev profile) as base and the production file as a standalone environment', () => {
    const report = seed(SEED);
    assert.deepEqual(
      report.projects.map((p) => [p.dir, p.environments.map((e) => [e.name, e.files])]),
      [['.', [['base', ['docker-compose.yml']], ['production', ['docker-compose.production.yml']]]]],
    );
    assert.deepEqual(dev().inventory.services.map((s) => s.name), ['astron-agent', 'mysql', 'redis-cluster']);
  });

  it('inventories the 11 published ports, every one on all interfaces', () => {
    const env = production();
    const ports = Object.fromEntries(env.inventory.services.map((s) => [s.name, s.ports.map((p) => `${p.host_ip}:${p.published}->${p.target}/${p.protocol}${p.external ? ' external' : ''}`)]));
    assert.deepEqual(ports, {
      'astron-agent': ['0.0.0.0:8000->8000/tcp external'],
      'astron-rpa-openapi': ['0.0.0.0:8020->8020/tcp external'],
      'astron-rpa-engine': ['0.0.0.0:8021->8021/tcp external'],
      mysql: ['0.0.0.0:3306->3306/tcp external'],
      'redis-cluster': ['0.0.0.0:6379->6379/tcp external'],
      nginx: ['0.0.0.0:80->80/tcp external', '0.0.0.0:443->443/tcp external'],
      prometheus: ['0.0.0.0:9090->9090/tcp external'],
      grafana: ['0.0.0.0:3000->3000/tcp external'],
      jaeger: ['0.0.0.0:16686->16686/tcp external', '0.0.0.0:14268->14268/tcp external'],
    });
    // The seed calls 8020, 8021, 3306, 6379 and 16686 internal; their mappings publish them on every interface.
    assert.ok(env.inventory.services.every((s) => s.exposure === 'external'));
  });

  it('inventories the one network, the four volumes and the bind mounts', () => {
    const env = production();
    assert.deepEqual(
      env.inventory.networks.map((n) => [n.name, n.driver, n.internal, n.subnets, n.services.length]),
      [['astron-network', 'bridge', false, ['172.20.0.0/16'], 9]],
    );
    assert.deepEqual(
      env.inventory.volumes.map((v) => [v.name, v.external, v.services]),
      [['mysql_data', false, ['mysql']], ['redis_data', false, ['redis-cluster']], ['grafana_data', false, ['grafana']], ['prometheus_data', false, ['prometheus']]],
    );
    const volumes = (name: string) => service(env, name).volumes.map((v) => `${v.type} ${v.source} ${v.target}${v.read_only ? ' ro' : ''}${v.exists === null ? '' : v.exists ? ' exists' : ' missing'}`);
    assert.deepEqual(volumes('astron-agent'), ['bind ./logs /app/logs exists', 'bind ./config /app/config exists']);
    assert.deepEqual(volumes('mysql'), ['volume mysql_data /var/lib/mysql', 'bind ./database/init /docker-entrypoint-initdb.d exists']);
    assert.deepEqual(volumes('nginx'), ['bind ./nginx/nginx.conf /etc/nginx/nginx.conf ro exists', 'bind ./nginx/ssl /etc/nginx/ssl ro exists']);
    assert.deepEqual(volumes('astron-rpa-openapi'), []);
    assert.deepEqual(volumes('astron-rpa-engine'), []);
  });

  it('inventories health checks, dependencies, limits, restart policies and builds', () => {
    const env = production();
    assert.deepEqual(service(env, 'astron-agent').healthcheck?.test, ['CMD', 'curl', '-f', 'http://localhost:8000/health']);
    assert.deepEqual(service(env, 'mysql').healthcheck?.test, ['CMD-SHELL', 'mysqladmin ping -h localhost -uroot -p || exit 1']);
    assert.deepEqual(service(env, 'astron-agent').depends_on, { mysql: 'service_healthy', 'redis-cluster': 'service_healthy', 'astron-rpa-openapi': 'service_healthy' });
    assert.deepEqual(service(env, 'astron-rpa-openapi').depends_on, { mysql: 'service_healthy', 'redis-cluster': 'service_healthy', 'astron-rpa-engine': 'service_healthy' });
    assert.deepEqual(service(env, 'astron-rpa-engine').resources, { cpus: '2.0', memory: '2G', pids: null });
    assert.deepEqual(service(env, 'astron-agent').build, { context: '.', dockerfile: 'docker/Dockerfile.agent', target: null });
    assert.deepEqual(
      env.inventory.services.map((s) => [s.name, s.restart, s.healthcheck !== null]),
      [
        ['astron-agent', 'unless-stopped', true],
        ['astron-rpa-openapi', 'unless-stopped', true],
        ['astron-rpa-engine', 'unless-stopped', true],
        ['mysql', 'unless-stopped', true],
        ['redis-cluster', 'unless-stopped', true],
        ['nginx', 'unless-stopped', true],
        ['prometheus', null, false],
        ['grafana', null, false],
        ['jaeger', null, false],
      ],
    );
    assert.equal(service(env, 'mysql').environment['MYSQL_ROOT_PASSWORD'], '***');
    assert.equal(service(env, 'grafana').environment['GF_SECURITY_ADMIN_PASSWORD'], '***');
  });

  it('reports the published database ports, the floating tags and the missing health checks', () => {
    const env = production();
    // Prometheus's API on 9090 serves every metric it scraped: a data store published to the world.
    assert.deepEqual(found(env, 'exposed-database-port'), [
      'mysql docker-compose.production.yml:117:9',
      'prometheus docker-compose.production.yml:189:9',
      'redis-cluster docker-compose.production.yml:150:9',
    ]);
    assert.deepEqual(servicesOf(env, 'latest-tag'), ['grafana', 'jaeger', 'nginx', 'prometheus']);
    assert.deepEqual(servicesOf(env, 'missing-healthcheck'), ['grafana', 'jaeger', 'prometheus']);
    assert.deepEqual(servicesOf(env, 'missing-restart-policy'), ['grafana', 'jaeger', 'prometheus']);
    assert.equal(service(env, 'mysql').security_level, 'critical');
    assert.deepEqual(found(dev(), 'exposed-database-port'), ['mysql docker-compose.yml:33:9', 'redis-cluster docker-compose.yml:52:9']);
  });

  it('contradicts the seed where the files do: images that run as root, no capability drops', () => {
    const env = production();
    // Seed: "All containers run as non-root users", "Unnecessary capabilities dropped".
    assert.deepEqual(servicesOf(env, 'root-user'), ['jaeger', 'mysql', 'nginx', 'redis-cluster']);
    assert.equal(servicesOf(env, 'no-cap-drop').length, 9);
    // The three built images set USER in their Dockerfile; prometheus and grafana run as their own users.
    for (const name of ['astron-agent', 'astron-rpa-openapi', 'astron-rpa-engine', 'prometheus', 'grafana']) {
      assert.ok(!servicesOf(env, 'root-user').includes(name), name);
    }
    assert.match(only(env, 'missing-resource-limits', 'astron-rpa-engine').message, /no pids limit/);
  });

  it('reports the Grafana admin default and the unset MySQL root password', () => {
    const env = production();
    const grafana = only(env, 'default-credential', 'grafana');
    assert.equal(place(grafana), 'docker-compose.production.yml:203:9');
    assert.match(grafana.message, /GF_SECURITY_ADMIN_PASSWORD/);
    assert.match(only(env, 'unset-variable').message, /"MYSQL_ROOT_PASSWORD"/);
  });

  it('reports the weak MySQL defaults root123 and astron123', () => {
    const env = production();
    assert.deepEqual(found(env, 'default-credential').filter((f) => f.startsWith('mysql ')), [
      'mysql docker-compose.production.yml:120:9',
      'mysql docker-compose.production.yml:123:9',
    ]);
  });

  it('does not report what is right in the files', () => {
    for (const env of [production(), dev()]) {
      // Dockerfiles install curl; every bind source exists; `-p$MYSQL_ROOT_PASSWORD` is interpolated, not a literal.
      for (const rule of ['healthcheck-tool-missing', 'missing-bind-source', 'hardcoded-secret', 'dependency-cycle', 'unknown-dependency', 'missing-dockerfile', 'schema']) {
        assert.deepEqual(found(env, rule), [], `${env.name}: ${rule}`);
      }
    }
  });

  it('draws the seed\'s dependency graph, with the callback and the nginx upstream', () => {
    const env = production();
    assert.deepEqual(env.graph.startup_order, [
      ['grafana', 'jaeger', 'mysql', 'prometheus', 'redis-cluster'],
      ['astron-rpa-engine'],
      ['astron-rpa-openapi'],
      ['astron-agent'],
      ['nginx'],
    ]);
    assert.deepEqual(edges(env), [
      'astron-agent -> astron-rpa-openapi depends_on',
      'astron-agent -> astron-rpa-openapi env-url 8020',
      'astron-agent -> mysql depends_on',
      'astron-agent -> mysql env-url 3306',
      'astron-agent -> redis-cluster depends_on',
      'astron-agent -> redis-cluster env-url 6379',
      'astron-rpa-engine -> mysql depends_on',
      'astron-rpa-engine -> mysql env-url 3306',
      'astron-rpa-engine -> redis-cluster depends_on',
      'astron-rpa-engine -> redis-cluster env-url 6379',
      'astron-rpa-openapi -> astron-agent env-url 8000',
      'astron-rpa-openapi -> astron-rpa-engine depends_on',
      'astron-rpa-openapi -> astron-rpa-engine env-url 8021',
      'astron-rpa-openapi -> mysql depends_on',
      'astron-rpa-openapi -> mysql env-url 3306',
      'astron-rpa-openapi -> redis-cluster depends_on',
      'astron-rpa-openapi -> redis-cluster env-url 6379',
      'grafana -> prometheus env-url 9090',
      'nginx -> astron-agent config-file 8000',
      'nginx -> astron-agent depends_on',
    ]);
    assert.deepEqual(dev().graph.startup_order, [['mysql', 'redis-cluster'], ['astron-agent']]);
  });

  it('scores an exposed, unhardened stack low on security', () => {
    for (const env of [production(), dev()]) assertScoresWellFormed(env);
    assert.ok(production().scores.security < 5, JSON.stringify(production().scores));
  });
});

// ---------------------------------------------------------------------------------------------

describe('seed 002: PD2 analysis platform security zones', () => {
  const SEED = '002-d2-mcp';
  const base = () => environment(seed(SEED), '.', 'base');
  const dev = () => environment(seed(SEED), '.', 'dev');
  const prod = () => environment(seed(SEED), '.', 'prod');
  const SANDBOX = ['behavioral-analyzer', 'd2-game-runner', 'memory-analyzer', 'network-analyzer', 'static-analyzer'];

  it('takes its environments from .shipshape.yml', () => {
    assert.deepEqual(
      seed(SEED).projects.map((p) => [p.dir, p.environments.map((e) => [e.name, e.files])]),
      [['.', [
        ['base', ['docker-compose.optimized.yml']],
        ['dev', ['docker-compose.optimized.yml', 'docker-compose.dev.yml']],
        ['prod', ['docker-compose.optimized.yml', 'docker-compose.prod.yml']],
      ]]],
    );
  });

  it('puts each service in the seed\'s zone: DMZ external, application and sandbox isolated', () => {
    const env = base();
    assert.deepEqual(segmentationZones(env.inventory), {
      external: ['nginx'],
      internal: ['web-dashboard'],
      isolated: ['api-gateway', 'behavioral-analyzer', 'd2-game-runner', 'd2-mcp-server', 'dgraph-alpha', 'dgraph-zero', 'mcp-coordinator', 'memory-analyzer', 'network-analyzer', 'redis', 'security-manager', 'static-analyzer'],
      bridges: [
        { service: 'd2-mcp-server', networks: ['analysis', 'backend'] },
        { service: 'nginx', networks: ['backend', 'frontend'] },
        { service: 'security-manager', networks: ['analysis', 'backend'] },
      ],
    });
    assert.deepEqual(
      env.inventory.networks.map((n) => [n.name, n.internal, n.subnets]),
      [['frontend', false, ['172.20.0.0/24']], ['backend', true, ['172.21.0.0/24']], ['analysis', true, ['172.22.0.0/24']]],
    );
    const analysis = env.inventory.networks.find((n) => n.name === 'analysis');
    assert.deepEqual(analysis?.services, ['behavioral-analyzer', 'd2-game-runner', 'd2-mcp-server', 'memory-analyzer', 'network-analyzer', 'security-manager', 'static-analyzer']);
    assert.deepEqual(service(env, 'nginx').ports.map((p) => `${p.host_ip}:${p.published}`), ['0.0.0.0:80', '0.0.0.0:443']);
    assert.ok(env.inventory.services.filter((s) => s.name !== 'nginx').every((s) => s.ports.length === 0));
  });

  it('inventories the memory analyzer\'s security model', () => {
    const mem = service(base(), 'memory-analyzer');
    assert.deepEqual(mem.cap_add, ['SYS_PTRACE']);
    assert.deepEqual(mem.cap_drop, ['ALL']);
    assert.deepEqual(mem.security_opt, ['no-new-privileges:true', 'seccomp:unconfined']);
    assert.equal(mem.read_only, true);
    assert.equal(mem.privileged, false);
    assert.deepEqual(mem.resources, { cpus: '4.0', memory: '8G', pids: 1024 });
    assert.equal(service(dev(), 'memory-analyzer').privileged, true);
    assert.deepEqual(
      base().inventory.volumes.map((v) => v.name),
      ['redis_data', 'analysis_outputs', 'dgraph_data', 'game_binaries', 'static_analysis_cache', 'audit_logs', 'quarantine_storage'],
    );
  });

  it('reports ptrace, the unconfined seccomp profile and raw sockets of the analyzers', () => {
    for (const env of [base(), dev(), prod()]) {
      assert.deepEqual(found(env, 'dangerous-capability'), ['memory-analyzer docker-compose.optimized.yml:255:9', 'network-analyzer docker-compose.optimized.yml:276:9']);
      assert.deepEqual(found(env, 'unconfined-profile'), ['memory-analyzer docker-compose.optimized.yml:258:9']);
      assert.equal(textAt(SEED, '.', only(env, 'unconfined-profile')).split(' ')[0], 'seccomp:unconfined');
    }
    assert.deepEqual(found(base(), 'privileged'), []);
    // pid: service:d2-game-runner shares a container's namespace, not the host's.
    assert.deepEqual(found(base(), 'host-namespace'), []);
  });

  it('reports the relaxed dev security: the memory analyzer made privileged', () => {
    assert.deepEqual(found(dev(), 'privileged'), ['memory-analyzer docker-compose.dev.yml:20:17']);
    assert.equal(only(dev(), 'privileged').severity, 'critical');
  });

  it('knows the dev debug ports are never published: their services are only on the internal backend network', () => {
    for (const name of ['api-gateway', 'mcp-coordinator']) {
      assert.equal(service(dev(), name).exposure, 'isolated', name);
      assert.ok(!servicesOf(dev(), 'unbound-port-interface').includes(name), name);
    }
    // internal-network-exposed already reasons this way: a port on an internal-only service opens nothing.
    assert.deepEqual(found(dev(), 'internal-network-exposed'), []);
  });

  it('reports the privileged overlay as a weakening of the base', () => {
    assert.deepEqual(found(dev(), 'dev-override-weakens-security'), ['memory-analyzer docker-compose.dev.yml:20:17']);
  });

  it('finds the hardening the seed claims in place', () => {
    const env = base();
    for (const rule of ['no-cap-drop', 'no-new-privileges-missing', 'writable-rootfs', 'missing-healthcheck', 'missing-resource-limits', 'missing-restart-policy', 'latest-tag', 'exposed-database-port', 'missing-bind-source', 'schema']) {
      assert.deepEqual(found(env, rule), [], rule);
    }
    // Only the images without `user:` that run as root.
    assert.deepEqual(servicesOf(env, 'root-user'), ['dgraph-alpha', 'dgraph-zero', 'nginx']);
    for (const name of SANDBOX) assert.equal(service(env, name).exposure, 'isolated', name);
  });

  it('counts fluentd as log shipping in production', () => {
    const rotated = servicesOf(prod(), 'missing-log-rotation');
    for (const name of ['nginx', 'api-gateway', 'mcp-coordinator', 'prometheus']) assert.ok(!rotated.includes(name), name);
    assert.ok(servicesOf(base(), 'missing-log-rotation').includes('api-gateway'));
  });

  it('draws the request flow and the start order', () => {
    const env = base();
    assert.deepEqual(env.graph.startup_order, [
      ['behavioral-analyzer', 'd2-game-runner', 'dgraph-zero', 'network-analyzer', 'redis', 'security-manager', 'static-analyzer', 'web-dashboard'],
      ['dgraph-alpha', 'memory-analyzer'],
      ['d2-mcp-server'],
      ['mcp-coordinator'],
      ['api-gateway'],
      ['nginx'],
    ]);
    assert.deepEqual(edges(env), [
      'api-gateway -> mcp-coordinator depends_on',
      'api-gateway -> mcp-coordinator env-url 8100',
      'api-gateway -> redis depends_on',
      'api-gateway -> redis env-url 6379',
      'd2-mcp-server -> d2-game-runner env-url 8400',
      'd2-mcp-server -> dgraph-alpha depends_on',
      'd2-mcp-server -> dgraph-alpha env-url 9080',
      'd2-mcp-server -> memory-analyzer env-url 8410',
      'dgraph-alpha -> dgraph-zero depends_on',
      'mcp-coordinator -> d2-mcp-server depends_on',
      'mcp-coordinator -> d2-mcp-server env-url 8200',
      'mcp-coordinator -> dgraph-alpha depends_on',
      'mcp-coordinator -> dgraph-alpha env-url 9080',
      'mcp-coordinator -> redis depends_on',
      'mcp-coordinator -> redis env-url 6379',
      'mcp-coordinator -> security-manager depends_on',
      'mcp-coordinator -> security-manager env-url 8300',
      'memory-analyzer -> d2-game-runner depends_on',
      'nginx -> api-gateway config-file 8000',
      'nginx -> api-gateway depends_on',
      'nginx -> web-dashboard config-file 8080',
      'nginx -> web-dashboard depends_on',
      'security-manager -> behavioral-analyzer env-url 8440',
      'security-manager -> d2-game-runner env-url 8400',
      'security-manager -> memory-analyzer env-url 8410',
      'security-manager -> network-analyzer env-url 8420',
      'security-manager -> static-analyzer env-url 8430',
    ]);
    const scrapes = edges(prod()).filter((e) => e.startsWith('prometheus '));
    assert.deepEqual(scrapes, ['prometheus -> api-gateway config-file 9001', 'prometheus -> mcp-coordinator config-file 9001']);
  });

  it('scores the relaxed dev environment below the base', () => {
    for (const env of [base(), dev(), prod()]) assertScoresWellFormed(env);
    assert.ok(dev().scores.security < base().scores.security, `${dev().scores.security} < ${base().scores.security}`);
    assert.ok(base().scores.production_readiness > 5, JSON.stringify(base().scores));
  });
});

// ---------------------------------------------------------------------------------------------

describe('seed 004: container host agent deployment', () => {
  const SEED = '004-agent';
  const base = () => environment(seed(SEED), '.', 'base');
  const dev = () => environment(seed(SEED), '.', 'dev');
  const prod = () => environment(seed(SEED), '.', 'prod');
  const AGENT = 'container-host-agent';

  it('has three standalone environments', () => {
    assert.deepEqual(
      seed(SEED).projects.map((p) => [p.dir, p.environments.map((e) => [e.name, e.files])]),
      [['.', [['base', ['docker-compose.yml']], ['dev', ['docker-compose.dev.yml']], ['prod', ['docker-compose.prod.yml']]]]],
    );
  });

  it('reports the Docker socket, the host network and the host /tmp', () => {
    assert.deepEqual(found(base(), 'docker-socket-mount'), [`${AGENT} docker-compose.yml:15:9`]);
    assert.equal(only(base(), 'docker-socket-mount').severity, 'critical');
    assert.deepEqual(found(dev(), 'docker-socket-mount'), [`${AGENT} docker-compose.dev.yml:11:9`]);
    assert.deepEqual(found(prod(), 'docker-socket-mount'), [`${AGENT} docker-compose.prod.yml:11:9`]);
    assert.deepEqual(found(base(), 'host-namespace'), [`${AGENT} docker-compose.yml:17:19`]);
    assert.deepEqual(found(prod(), 'host-namespace'), [`${AGENT} docker-compose.prod.yml:13:19`]);
    assert.deepEqual(found(base(), 'sensitive-host-mount'), [`${AGENT} docker-compose.yml:16:9`]);
    assert.deepEqual(found(prod(), 'sensitive-host-mount'), [`${AGENT} docker-compose.prod.yml:12:9`]);
    // The dev file mounts the project itself, not a host directory.
    assert.deepEqual(found(dev(), 'host-namespace'), []);
    assert.deepEqual(found(dev(), 'sensitive-host-mount'), []);
  });

  it('reports ports that host networking ignores, and the obsolete version key', () => {
    assert.deepEqual(found(base(), 'ignored-ports'), [`${AGENT} docker-compose.yml:5:5`]);
    assert.deepEqual(found(prod(), 'ignored-ports'), [`${AGENT} docker-compose.prod.yml:5:5`]);
    assert.deepEqual(found(dev(), 'ignored-ports'), []);
    assert.deepEqual(found(base(), 'unbound-port-interface'), []);
    assert.deepEqual(found(dev(), 'unbound-port-interface'), [`${AGENT} docker-compose.dev.yml:6:9`]);
    assert.deepEqual(found(base(), 'obsolete-version'), ['- docker-compose.yml:1:1']);
    assert.deepEqual(found(dev(), 'obsolete-version'), ['- docker-compose.dev.yml:1:1']);
    assert.deepEqual(found(prod(), 'obsolete-version'), ['- docker-compose.prod.yml:1:1']);
  });

  it('reports the six variables the operator must still put in .env', () => {
    const names = base().findings.filter((f) => f.rule === 'unset-variable').map((f) => /"([A-Z_]+)"/.exec(f.message)?.[1]);
    assert.deepEqual(names, ['JWT_SECRET', 'DOCKER_SOCKET', 'MANAGER_URL', 'HOST_ID', 'SERVER_KEY', 'HEARTBEAT_INTERVAL']);
    assert.deepEqual(found(dev(), 'unset-variable'), []);
    assert.deepEqual(found(prod(), 'unset-variable'), []);
  });

  it('reports the root image, the latest tag and the missing health checks where they are', () => {
    assert.deepEqual(found(base(), 'root-user'), [`${AGENT} docker-compose.yml:4:5`]);
    assert.deepEqual(found(base(), 'dockerfile-root-user'), [`${AGENT} Dockerfile:1:1`]);
    assert.deepEqual(found(prod(), 'latest-tag'), [`${AGENT} docker-compose.prod.yml:4:12`]);
    assert.deepEqual(servicesOf(base(), 'missing-healthcheck'), [AGENT]);
    assert.deepEqual(servicesOf(dev(), 'missing-healthcheck'), [AGENT]);
    assert.deepEqual(servicesOf(dev(), 'missing-restart-policy'), [AGENT]);
    for (const rule of ['missing-healthcheck', 'missing-log-rotation', 'missing-restart-policy', 'missing-dockerfile', 'exposed-database-port']) {
      assert.deepEqual(found(prod(), rule), [], `prod: ${rule}`);
    }
  });

  it('reads no file outside the project, such as the host\'s /tmp it bind-mounts', () => {
    for (const env of [base(), dev(), prod()]) assert.deepEqual(outsideProject(env).map(place), [], env.name);
  });

  it('does not take the placeholders of .env.example for secrets', () => {
    assert.deepEqual(found(dev(), 'hardcoded-secret'), []);
  });

  it('inventories the host-networked agent', () => {
    const agent = service(base(), AGENT);
    assert.equal(agent.network_mode, 'host');
    assert.deepEqual(agent.networks, []);
    assert.equal(agent.exposure, 'external');
    assert.equal(agent.security_level, 'critical');
    assert.equal(agent.restart, 'unless-stopped');
    assert.deepEqual(agent.build, { context: '.', dockerfile: 'Dockerfile', target: null });
    assert.deepEqual(Object.keys(agent.environment), ['JWT_SECRET', 'DOCKER_SOCKET', 'MANAGER_URL', 'HOST_ID', 'SERVER_KEY', 'HEARTBEAT_INTERVAL']);
    assert.deepEqual(agent.volumes.map((v) => `${v.type} ${v.source}:${v.target}${v.read_only ? ':ro' : ''}`), ['bind /var/run/docker.sock:/var/run/docker.sock', 'bind /tmp:/tmp']);
    const prodAgent = service(prod(), AGENT);
    assert.equal(prodAgent.image, 'siberbox/container-host-agent:latest');
    assert.equal(prodAgent.build, null);
    assert.deepEqual(prodAgent.healthcheck?.test, ['CMD', 'curl', '-f', 'http://localhost:8003/health']);
    assert.deepEqual(dev().inventory.networks.map((n) => [n.name, n.services]), [['default', [AGENT]]]);
    for (const env of [base(), dev(), prod()]) {
      assert.deepEqual(env.graph, { startup_order: [[AGENT]], edges: [] });
    }
  });

  it('scores every variant low on security: the agent controls the host', () => {
    for (const env of [base(), dev(), prod()]) {
      assertScoresWellFormed(env);
      assert.ok(env.scores.security < 3, `${env.name}: ${env.scores.security}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('seed 001: Docker environment and security hardening', () => {
  const SEED = '001-hardening';
  const dev = () => environment(seed(SEED), '.', 'base');
  const prod = () => environment(seed(SEED), '.', 'prod');
  const PROD_SERVICES = ['app', 'elasticsearch', 'grafana', 'nginx', 'ollama', 'postgres', 'prometheus', 'redis'];

  it('has the development file as base and the hardened production file standalone', () => {
    assert.deepEqual(
      seed(SEED).projects.map((p) => [p.dir, p.environments.map((e) => [e.name, e.files])]),
      [['.', [['base', ['docker-compose.yml']], ['prod', ['docker-compose.prod.yml']]]]],
    );
  });

  it('sees through the hardening block: apparmor:unconfined on every production service', () => {
    const env = prod();
    // One root cause (the anchor's line), one finding naming every service that merges it.
    const finding = only(env, 'unconfined-profile');
    assert.deepEqual([...finding.services].sort(), PROD_SERVICES);
    assert.equal(finding.service, finding.services[0]);
    assert.ok(place(finding) === 'docker-compose.prod.yml:9:7' && finding.severity === 'high');
    assert.equal(textAt(SEED, '.', finding), 'apparmor:unconfined');
  });

  it('reports the generated secret files a fresh checkout lacks', () => {
    const env = prod();
    assert.deepEqual(found(env, 'missing-file-reference'), [285, 287, 289, 291, 293, 295, 297].map((line) => `- docker-compose.prod.yml:${line}:11`));
    assert.ok(env.scores.production_readiness <= 4, JSON.stringify(env.scores));
  });

  it('finds the rest of the production hardening in place', () => {
    const env = prod();
    assert.deepEqual(servicesOf(env, 'root-user'), ['nginx', 'postgres', 'redis']);
    assert.deepEqual(found(env, 'writable-rootfs'), ['elasticsearch docker-compose.prod.yml:189:16']);
    // The app's health check is the HEALTHCHECK of the Dockerfile's production stage.
    for (const rule of ['missing-healthcheck', 'healthy-without-healthcheck', 'dockerfile-missing-healthcheck', 'healthcheck-tool-missing', 'no-cap-drop', 'no-new-privileges-missing', 'dangerous-capability', 'missing-resource-limits', 'missing-log-rotation', 'missing-restart-policy', 'exposed-database-port', 'latest-tag', 'missing-bind-source', 'dockerfile-root-user', 'dockerfile-broad-copy']) {
      assert.deepEqual(found(env, rule), [], rule);
    }
  });

  it('reports no secret in the production file: *_FILE, /run/secrets and $$(cat …) are references', () => {
    assert.deepEqual(found(prod(), 'hardcoded-secret'), []);
    assert.deepEqual(found(prod(), 'default-credential'), []);
  });

  it('reports the development database password default', () => {
    const env = dev();
    assert.deepEqual(found(env, 'default-credential'), ['app docker-compose.yml:16:21', 'postgres docker-compose.yml:39:26']);
    // config/base.yml, mounted into the app, references ${DATABASE_PASSWORD}.
    assert.deepEqual(found(env, 'hardcoded-secret'), []);
  });

  it('reports what the development file leaves open', () => {
    const env = dev();
    assert.deepEqual(found(env, 'exposed-database-port'), ['postgres docker-compose.yml:35:9', 'redis docker-compose.yml:52:9']);
    assert.deepEqual(found(env, 'dockerfile-missing-healthcheck'), ['app Dockerfile:19:1']);
    assert.equal(textAt(SEED, '.', only(env, 'dockerfile-missing-healthcheck')), 'FROM base AS development');
    assert.deepEqual(servicesOf(env, 'root-user'), ['ollama', 'postgres', 'redis']);
    assert.deepEqual(found(env, 'dockerfile-broad-copy'), []);
  });

  it('inventories the production segmentation and the app\'s hardening', () => {
    const env = prod();
    assert.deepEqual(env.inventory.networks.map((n) => [n.name, n.internal]), [['frontend', false], ['backend', true], ['monitoring', true]]);
    assert.deepEqual(exposures(env), {
      nginx: 'external',
      app: 'internal',
      postgres: 'isolated',
      redis: 'isolated',
      ollama: 'isolated',
      elasticsearch: 'isolated',
      prometheus: 'isolated',
      grafana: 'internal',
    });
    const app = service(env, 'app');
    assert.equal(app.user, '1000:1000');
    assert.equal(app.read_only, true);
    assert.deepEqual(app.cap_drop, ['ALL']);
    assert.deepEqual(app.cap_add, ['CHOWN', 'SETGID', 'SETUID']);
    assert.deepEqual(app.security_opt, ['no-new-privileges:true', 'apparmor:unconfined']);
    assert.deepEqual(app.resources, { cpus: '2.0', memory: '2G', pids: 512 });
    assert.deepEqual(app.build, { context: '.', dockerfile: 'Dockerfile', target: 'production' });
    assert.deepEqual(
      env.inventory.secrets.map((s) => [s.name, s.file, s.services]),
      [
        ['postgres_password', './secrets/postgres_password.txt', ['app', 'postgres']],
        ['redis_password', './secrets/redis_password.txt', ['app', 'redis']],
        ['jwt_secret', './secrets/jwt_secret.txt', ['app']],
        ['elastic_password', './secrets/elastic_password.txt', ['elasticsearch']],
        ['grafana_admin_password', './secrets/grafana_admin_password.txt', ['grafana']],
        ['tls_certificate', './secrets/tls/server.crt', ['nginx']],
        ['tls_private_key', './secrets/tls/server.key', ['nginx']],
      ],
    );
    assert.deepEqual(service(env, 'grafana').ports, [{ host_ip: '127.0.0.1', published: '3000', target: 3000, protocol: 'tcp', external: false }]);
  });

  it('draws the production graph from environment, nginx and Prometheus', () => {
    const env = prod();
    assert.deepEqual(env.graph.startup_order, [['elasticsearch', 'ollama', 'postgres', 'prometheus', 'redis'], ['app', 'grafana'], ['nginx']]);
    const expected = [
      'app -> elasticsearch env-url 9200',
      'app -> ollama depends_on',
      'app -> ollama env-url 11434',
      'app -> postgres depends_on',
      'app -> postgres env-url 5432',
      'app -> redis depends_on',
      'app -> redis env-url 6379',
      'grafana -> prometheus depends_on',
      'nginx -> app config-file 8000',
      'nginx -> app depends_on',
      'prometheus -> app config-file 8000',
    ];
    for (const e of expected) assert.ok(edges(env).includes(e), e);
    assert.deepEqual(edges(dev()), [
      'app -> mailhog env-url 1025',
      'app -> ollama depends_on',
      'app -> ollama env-url 11434',
      'app -> postgres depends_on',
      'app -> postgres env-url 5432',
      'app -> redis depends_on',
      'app -> redis env-url 6379',
    ]);
  });

  it('resolves `proxy_pass http://app` to the upstream of the including nginx.conf', () => {
    assert.deepEqual(edges(prod()).filter((e) => e.startsWith('nginx -> app config-file')), ['nginx -> app config-file 8000']);
  });

  it('scores the hardened production file above the development file on security', () => {
    for (const env of [dev(), prod()]) assertScoresWellFormed(env);
    assert.ok(prod().scores.security > dev().scores.security, `${prod().scores.security} > ${dev().scores.security}`);
  });
});

// ---------------------------------------------------------------------------------------------

describe('seed fixtures as one tree', () => {
  it('are found as the five projects when the seeds folder is analyzed', () => {
    const { report, problems } = analyze({ root: fixturePath('seeds'), rules: RULES, version: 'test', env: {} });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      report.projects.map((p) => [p.dir, p.environments.map((e) => e.name)]),
      [
        ['000-astron', ['base', 'production']],
        ['001-hardening', ['base', 'prod']],
        ['002-d2-mcp', ['base', 'dev', 'prod']],
        ['003-toolboxai/infrastructure/docker/compose', ['base', 'dev', 'prod']],
        ['004-agent', ['base', 'dev', 'prod']],
      ],
    );
  });
});

// ---------------------------------------------------------------------------------------------

const SARIF_SCHEMA = '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json';

function sarifValidator(): (value: unknown) => string[] {
  const schema = JSON.parse(readFileSync(createRequire(import.meta.url).resolve(SARIF_SCHEMA), 'utf8')) as Record<string, unknown>;
  // A draft-04 schema (see test/analyze/report/sarif.test.ts for why these options).
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  const validate = ajv.compile({ ...schema, $schema: undefined, id: undefined });
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

interface SarifResult {
  ruleId: string;
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number; startColumn?: number } } }[];
}

describe('seed reports in every format', () => {
  const seeds = ['000-astron', '001-hardening', '002-d2-mcp', '003-toolboxai', '004-agent'];
  const formats = Object.keys(FORMATS) as Format[];
  const validateSarif = sarifValidator();

  it('has the five formats', () => {
    assert.deepEqual([...formats].sort(), ['html', 'json', 'md', 'sarif', 'text']);
  });

  for (const name of seeds) {
    it(`renders ${name} as text, md, json, sarif and html`, () => {
      const report = seed(name);
      const environments = report.projects.flatMap((p) => p.environments);
      const findings = environments.flatMap((e) => e.findings);
      for (const format of formats) {
        const text = render(format, report, RULES);
        assert.ok(text.trim().length > 0, `${name} ${format} is empty`);
        switch (format) {
          case 'json':
            assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(report)));
            break;
          case 'sarif': {
            const log = JSON.parse(text) as { version: string; runs: { results: SarifResult[] }[] };
            assert.deepEqual(validateSarif(log), []);
            assert.equal(log.version, '2.1.0');
            const results = log.runs[0]?.results;
            assert.ok(Array.isArray(results));
            for (const f of findings.filter((x) => x.line > 0)) {
              const match = results.some((r) =>
                r.ruleId === f.rule &&
                r.locations?.some((l) => l.physicalLocation?.region?.startLine === f.line && l.physicalLocation.region.startColumn === f.column));
              assert.ok(match, `${name}: no SARIF result for ${f.rule} at ${place(f)}`);
            }
            break;
          }
          case 'html':
            assert.match(text, /^<!doctype html>/i);
            assert.match(text, /<\/html>\s*$/);
            assert.ok(text.includes('<svg'), `${name}: the html report draws the graph`);
            assert.doesNotMatch(text, /<(script|link|img)\b[^>]*\b(src|href)="https?:/i, 'the html report loads nothing from the network');
            break;
          case 'md':
            // The matrix and the Mermaid graph up to 12 services, an edge list above (docs/reports.md).
            if (environments.every((e) => e.inventory.services.length <= 12)) assert.ok(text.includes('```mermaid'), `${name}: the md report has the Mermaid graph`);
            else assert.match(text, /\| Service \| Reached from outside \/ calls \|/, `${name}: the md report lists the edges`);
            for (const s of environments[0]!.inventory.services) assert.ok(text.includes(s.name), `${name}: md names ${s.name}`);
            break;
          case 'text':
            for (const f of findings.slice(0, 20)) assert.ok(text.includes(f.rule), `${name}: text lists ${f.rule}`);
            break;
        }
      }
    });
  }
});
