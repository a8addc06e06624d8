import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkSupported, formatIssue } from '../../src/engine/index.js';
import { load } from './helpers.js';

describe('checkSupported', () => {
  it('accepts every key the engine translates', () => {
    const { project, positionOf } = load(
      `
services:
  web:
    image: x
    build: {context: ., dockerfile: Dockerfile, args: {A: "1"}, target: prod, labels: {l: v}}
    pull_policy: missing
    command: run
    entrypoint: [sh, -c]
    environment: {A: "1"}
    env_file: [vars.env]
    ports: ["127.0.0.1:8080:80/tcp"]
    expose: ["3000-3001"]
    volumes: ["./d:/d:ro", "data:/data:nocopy", {type: tmpfs, target: /t, tmpfs: {size: 1m}}]
    tmpfs: /run
    networks: {back: {aliases: [b], ipv4_address: 10.5.0.5, priority: 2}}
    depends_on: {db: {condition: service_healthy, required: false}}
    healthcheck: {test: [CMD, "true"], interval: 1s, timeout: 1s, retries: 2, start_period: 1s, start_interval: 1s}
    restart: on-failure:3
    user: "1000"
    working_dir: /app
    labels: {a: b}
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    privileged: false
    read_only: true
    security_opt: [no-new-privileges:true]
    deploy: {replicas: 1, resources: {limits: {cpus: "0.5", memory: 64m, pids: 50}, reservations: {memory: 32m}}}
    mem_limit: 64m
    mem_reservation: 32m
    cpus: 0.5
    pids_limit: 50
    ulimits: {nofile: {soft: 10, hard: 20}}
    extra_hosts: ["h:1.2.3.4"]
    hostname: web
    init: true
    stop_signal: SIGINT
    stop_grace_period: 3s
    secrets: [s]
    configs: [{source: c, target: /etc/c}]
    logging: {driver: json-file, options: {max-size: 1m}}
    container_name: the-web
    scale: 1
    tty: true
    stdin_open: true
    x-custom: anything
  db: {image: d}
networks: {back: {driver: bridge, ipam: {config: [{subnet: 10.5.0.0/16}]}, labels: {a: b}}}
volumes: {data: {driver: local, labels: {a: b}}}
secrets: {s: {file: ./s.txt}}
configs: {c: {file: ./c.txt}}
`,
      'demo',
      { 'vars.env': 'B=2\n', 's.txt': 's', 'c.txt': 'c' },
    );
    assert.deepEqual(checkSupported(project, positionOf), []);
  });

  it('names each unsupported key with its file and line', () => {
    const { project, positionOf, dir } = load(`services:
  web:
    image: x
    devices: ["/dev/fuse"]
    deploy:
      placement: {constraints: [node.role==manager]}
    healthcheck:
      test: [CMD, "true"]
    ports:
      - target: 80
        published: "8080"
`);
    const issues = checkSupported(project, positionOf);
    const file = join(dir, 'compose.yaml');
    assert.deepEqual(
      issues.map(formatIssue),
      [
        `${file}:4:5: "devices" is not supported by shipshape up (services.web.devices)`,
        `${file}:6:7: "placement" is not supported by shipshape up (services.web.deploy.placement)`,
      ],
    );
  });

  it('refuses secrets that are not files, volume types it cannot mount and depends_on restart', () => {
    const { project, positionOf } = load(`services:
  web:
    image: x
    secrets: [token]
    volumes: [{type: npipe, source: a, target: /b}]
    depends_on: {db: {condition: service_started, restart: true}}
  db: {image: d}
secrets:
  token: {environment: TOKEN}
`);
    const messages = checkSupported(project, positionOf).map((i) => `${i.position?.line}: ${i.message}`);
    assert.deepEqual(messages, [
      '5: volume type "npipe" is not supported by shipshape up',
      '6: depends_on.db.restart: true is not supported by shipshape up',
      '4: secret "token" is not read from a file; shipshape up only mounts file-based secrets',
    ]);
  });

  it('refuses a boolean written as text rather than dropping it', () => {
    const { project } = load('services:\n  a: {image: x, init: "yes", read_only: true}\n');
    assert.deepEqual(checkSupported(project).map((i) => i.message), ['init must be true or false, not "yes"']);
  });

  it('refuses container_name with replicas, and scale that contradicts deploy.replicas', () => {
    const { project } = load('services:\n  a: {image: x, container_name: one, deploy: {replicas: 2}}\n  b: {image: x, scale: 2, deploy: {replicas: 3}}\n');
    assert.deepEqual(
      checkSupported(project).map((i) => i.path.join('.')),
      ['services.a.container_name', 'services.b.scale'],
    );
  });
});
