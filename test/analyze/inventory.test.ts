import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildInventory, displayPath } from '../../src/analyze/inventory.js';
import type { InventoryService } from '../../src/analyze/report-types.js';
import type { Finding } from '../../src/analyze/types.js';
import { writeTree, yaml } from '../helpers/tmp.js';
import { contextOf, contextOfDir } from './project-context.js';

const COMPOSE = yaml`
  services:
    api:
      build:
        context: ./api
        target: runtime
      ports:
        - "8000:8000"
        - "127.0.0.1:9229:9229"
      volumes:
        - ./config/app.yaml:/app/config.yaml:ro
        - ./missing:/data
        - /var/run/docker.sock:/var/run/docker.sock
        - uploads:/uploads
        - type: tmpfs
          target: /tmp
      networks: [frontend, backend]
      environment:
        DATABASE_URL: postgres://app:s3cret@db:5432/app
        JWT_SECRET: abc
        DB_PASSWORD_FILE: /run/secrets/db
        LOG_LEVEL: info
      healthcheck:
        test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
        interval: 30s
        timeout: 5s
        retries: 3
      depends_on:
        db: {condition: service_healthy}
        cache: {condition: service_started}
      user: "1000:1000"
      read_only: true
      cap_drop: [ALL]
      cap_add: [NET_BIND_SERVICE]
      security_opt: ["no-new-privileges:true"]
      deploy:
        resources:
          limits: {cpus: '2.0', memory: 2G, pids: 256}
        restart_policy: {condition: on-failure}
      secrets: [db]
      configs: [app]
    db:
      image: postgres:16-alpine
      cpus: 1.5
      mem_limit: 512m
      pids_limit: -1
      restart: unless-stopped
      networks: [backend]
      volumes: [pgdata:/var/lib/postgresql/data]
      secrets: [db]
      healthcheck: {disable: true}
    cache:
      image: redis:7
      networks: [backend]
      privileged: true
  networks:
    frontend: {}
    backend:
      internal: true
      driver: overlay
      ipam: {config: [{subnet: 172.21.0.0/24}, {subnet: "fd00::/64"}]}
    shared: {external: true}
  volumes:
    uploads: {}
    pgdata: {}
    backups: {external: true}
  secrets:
    db: {file: ./secrets/db.txt}
    vault: {external: true}
  configs:
    app: {file: ./config/app.yaml}
`;

describe('buildInventory', () => {
  const ctx = contextOf({
    'compose.yaml': COMPOSE,
    'api/Dockerfile': 'FROM python:3.12\n',
    'config/app.yaml': 'a: 1\n',
    'secrets/db.txt': 'x\n',
  });
  const inventory = buildInventory(ctx);
  const service = (name: string): InventoryService => {
    const s = inventory.services.find((x) => x.name === name);
    assert.ok(s, name);
    return s;
  };

  it('lists the services in file order', () => {
    assert.deepEqual(inventory.services.map((s) => s.name), ['api', 'db', 'cache']);
  });

  it('describes every interface of a service, with secrets masked and paths relative', () => {
    assert.deepEqual(service('api'), {
      name: 'api',
      image: null,
      build: { context: './api', dockerfile: 'Dockerfile', target: 'runtime' },
      ports: [
        { host_ip: '0.0.0.0', published: '8000', target: 8000, protocol: 'tcp', external: true },
        { host_ip: '127.0.0.1', published: '9229', target: 9229, protocol: 'tcp', external: false },
      ],
      volumes: [
        { type: 'bind', source: './config/app.yaml', target: '/app/config.yaml', read_only: true, exists: true },
        { type: 'bind', source: './missing', target: '/data', read_only: false, exists: false },
        { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', read_only: false, exists: ctx.exists('/var/run/docker.sock') },
        { type: 'volume', source: 'uploads', target: '/uploads', read_only: false, exists: null },
        { type: 'tmpfs', source: null, target: '/tmp', read_only: false, exists: null },
      ],
      networks: ['backend', 'frontend'],
      network_mode: null,
      environment: {
        DATABASE_URL: 'postgres://app:***@db:5432/app',
        JWT_SECRET: '***',
        DB_PASSWORD_FILE: '/run/secrets/db',
        LOG_LEVEL: 'info',
      },
      healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:8000/health'], interval: '30s', timeout: '5s', retries: 3 },
      depends_on: { db: 'service_healthy', cache: 'service_started' },
      user: '1000:1000',
      privileged: false,
      read_only: true,
      cap_add: ['NET_BIND_SERVICE'],
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      resources: { cpus: '2.0', memory: '2G', pids: 256 },
      restart: 'on-failure',
      exposure: 'external',
      security_level: 'low',
    });
  });

  it('reads the legacy resource keys, and treats a disabled health check and pids -1 as none', () => {
    const db = service('db');
    assert.deepEqual(db.resources, { cpus: '1.5', memory: '512m', pids: null });
    assert.equal(db.restart, 'unless-stopped');
    assert.equal(db.healthcheck, null);
    assert.equal(db.exposure, 'isolated');
    assert.deepEqual(service('cache').resources, { cpus: null, memory: null, pids: null });
    assert.equal(service('cache').restart, null);
    assert.equal(service('cache').privileged, true);
  });

  it('reads a limit of 0 as no limit', () => {
    const zero = buildInventory(contextOf({ 'compose.yaml': 'services:\n  a: {image: x:1, cpus: 0, mem_limit: "0", pids_limit: 0}\n' }));
    assert.deepEqual(zero.services[0]?.resources, { cpus: null, memory: null, pids: null });
  });

  it('describes networks with their members, default driver and subnets', () => {
    assert.deepEqual(inventory.networks, [
      { name: 'frontend', internal: false, driver: 'bridge', subnets: [], external: false, services: ['api'] },
      { name: 'backend', internal: true, driver: 'overlay', subnets: ['172.21.0.0/24', 'fd00::/64'], external: false, services: ['api', 'cache', 'db'] },
      { name: 'shared', internal: false, driver: 'bridge', subnets: [], external: true, services: [] },
    ]);
  });

  it('describes volumes, secrets and configs with the services using them', () => {
    assert.deepEqual(inventory.volumes, [
      { name: 'uploads', external: false, services: ['api'] },
      { name: 'pgdata', external: false, services: ['db'] },
      { name: 'backups', external: true, services: [] },
    ]);
    assert.deepEqual(inventory.secrets, [
      { name: 'db', external: false, file: './secrets/db.txt', services: ['api', 'db'] },
      { name: 'vault', external: true, file: null, services: [] },
    ]);
    assert.deepEqual(inventory.configs, [{ name: 'app', external: false, file: './config/app.yaml', services: ['api'] }]);
  });

  it('rates each service from its security findings and exposure', () => {
    const finding = (rule: string, severity: Finding['severity'], service: string): Finding => ({
      rule, severity, service, services: [service], file: 'compose.yaml', line: 1, column: 1, message: '', fix: null,
    });
    const rated = buildInventory(ctx, {
      findings: [finding('latest-tag', 'medium', 'api'), finding('privileged', 'critical', 'cache'), finding('missing-healthcheck', 'medium', 'db')],
      isSecurityRule: (id) => id !== 'missing-healthcheck',
    });
    assert.deepEqual(rated.services.map((s) => [s.name, s.security_level]), [['api', 'high'], ['db', 'low'], ['cache', 'critical']]);
  });

  it('shows the default network compose adds', () => {
    const plain = buildInventory(contextOf({ 'compose.yaml': 'services:\n  web: {image: nginx:1.27, ports: ["80:80"]}\n' }));
    assert.deepEqual(plain.services[0]?.networks, ['default']);
    assert.deepEqual(plain.networks, [{ name: 'default', internal: false, driver: 'bridge', subnets: [], external: false, services: ['web'] }]);
  });
});

describe('host paths as the compose file writes them', () => {
  it('keeps paths written relative relative, also outside the project, and absolute ones as written', () => {
    const root = writeTree({
      'deploy/compose.yaml': [
        'services:',
        '  api:',
        '    build: ../..',
        '    volumes:',
        '      - "../config/redis.conf:/etc/redis.conf:ro"',
        '      - ~/.ssh:/root/.ssh:ro',
        '      - /var/run/docker.sock:/var/run/docker.sock',
        '      - ./data:/data',
        '      - ${CONF_DIR}/app.conf:/etc/app.conf',
        '      - {type: bind, source: ../logs, target: /logs}',
        '    secrets: [db]',
        'secrets:',
        '  db:',
        '    file: ../secrets/db.txt',
        '',
      ].join('\n'),
    });
    const inventory = buildInventory(contextOfDir(join(root, 'deploy'), { HOME: '/home/someone', CONF_DIR: '/srv/conf' }));
    const api = inventory.services[0];
    assert.equal(api?.build?.context, '../..');
    assert.deepEqual(api?.volumes.map((v) => v.source), ['../config/redis.conf', '~/.ssh', '/var/run/docker.sock', './data', '/srv/conf/app.conf', '../logs']);
    assert.equal(inventory.secrets[0]?.file, '../secrets/db.txt');
  });
});

describe('displayPath', () => {
  it('is relative inside the project, absolute outside it', () => {
    assert.equal(displayPath('/p', '/p'), '.');
    assert.equal(displayPath('/p', '/p/nginx.conf'), './nginx.conf');
    assert.equal(displayPath('/p', '/p/a/b'), './a/b');
    assert.equal(displayPath('/p', '/srv/data'), '/srv/data');
    assert.equal(displayPath('/p', '/p2/x'), '/p2/x');
    assert.equal(displayPath('/p', 'https://github.com/o/r.git'), 'https://github.com/o/r.git');
  });
});
