import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkSupported, formatIssue, REFUSED_SERVICE_KEYS, SUPPORTED_SERVICE_KEYS } from '../../src/engine/index.js';
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
    sysctls: {net.core.somaxconn: "1024"}
    dns: 10.0.0.53
    dns_search: [example.org]
    dns_opt: [ndots:2]
    devices: ["/dev/fuse"]
    device_cgroup_rules: ["c 10:229 rwm"]
    links: ["db:database"]
    external_links: ["other:o"]
    pid: service:db
    ipc: shareable
    uts: host
    userns_mode: host
    cgroup: private
    cgroup_parent: custom
    shm_size: 64m
    oom_score_adj: 100
    oom_kill_disable: false
    group_add: [audio]
    storage_opt: {size: 1G}
    mac_address: 02:42:ac:11:65:43
    runtime: runc
    isolation: default
    platform: linux/amd64
    domainname: example.org
    blkio_config: {weight: 300, device_read_bps: [{path: /dev/sda, rate: 1mb}]}
    cpu_shares: 512
    cpu_quota: 50000
    cpu_period: 100000
    cpu_rt_runtime: 400ms
    cpu_rt_period: 1400us
    cpuset: "0"
    cpu_count: 1
    cpu_percent: 50
    mem_swappiness: 10
    memswap_limit: -1
    gpus: all
    volumes_from: ["db:ro"]
    develop: {watch: [{path: ., action: rebuild}]}
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
    post_start: [{command: "true"}]
    use_api_socket: true
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
        `${file}:4:5: "post_start" is not supported by shipshape up (services.web.post_start): lifecycle hooks are not run by shipshape up yet`,
        `${file}:5:21: "use_api_socket" is not supported by shipshape up (services.web.use_api_socket): it hands the container the engine socket and your registry credentials; mount what the service needs explicitly`,
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

  it('knows every service key of the compose specification, and docs/engine.md has a row for each', () => {
    // The compiled test runs from dist/test, three levels below the repository.
    const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
    const spec = JSON.parse(readFileSync(root('src/compose/schema/compose-spec.json'), 'utf8')) as {
      definitions: { service: { properties: Record<string, unknown> } };
    };
    const doc = readFileSync(root('docs/engine.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Every service key'), doc.indexOf('## Library API'));
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    for (const key of Object.keys(spec.definitions.service.properties)) {
      const refused = REFUSED_SERVICE_KEYS[key];
      assert.ok(SUPPORTED_SERVICE_KEYS.includes(key) !== (refused !== undefined), `${key} is either supported or refused`);
      const row = rows.find((r) => r.split('|')[1]!.includes(`\`${key}\``));
      assert.ok(row, `docs/engine.md has a row for ${key}`);
      if (refused) assert.ok(row.includes('**refused**'), `the row of ${key} says it is refused`);
      else assert.ok(!row.includes('**refused**:'), `the row of ${key} does not say it is refused`);
    }
  });
});
