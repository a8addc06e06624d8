import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { loadProject, type Project } from '../../src/compose/index.js';
import { createDockerClient, type DockerClient } from '../../src/docker/index.js';
import { LABEL, up } from '../../src/engine/index.js';
import { CORPUS_DIR } from '../helpers/corpus.js';
import { ensureTestImage, requireEngine, TEST_IMAGE } from '../helpers/test-image.js';
import { writeTree } from '../helpers/tmp.js';

/*
 * Conformance with docker-compose v1 (Debian's 1.29): each stack is brought up from one compose
 * file by Shipshape (project A) and by `docker-compose -p B up -d` (project B), and the matching
 * containers must have the same `docker inspect` facts once what legitimately differs is
 * normalized: project names, container IDs, v1's own labels. docs/compat.md ("Engine") lists what
 * is left out and why.
 */

const docker: DockerClient = createDockerClient();
const exec = promisify(execFile);
const RUN = randomUUID().slice(0, 6);
const projects: string[] = [];
const dirs: string[] = [];

type Json = Record<string, unknown>;

/** What both tools are run with: variables a stack needs differ per project (ports, subnets, names). */
function environment(vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'DOCKER_HOST']) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, ...vars };
}

// --- Stacks ------------------------------------------------------------------------------------

const HEALTH_URL = 'http://127.0.0.1/health';

/**
 * An awesome-compose sample made runnable here: every service runs the test image's httpd
 * (health checks keep their timings, test `wget`s the health page), ports are published on
 * 127.0.0.1 with a port the engine picks, bind sources become files and folders that exist
 * inside the stack's directory, container names, subnets and addresses come from variables so
 * two projects can run side by side. Everything else is left as the sample has it.
 */
function rewriteSample(sample: string): { dir: string; file: string } {
  const source = readFileSync(join(CORPUS_DIR, 'awesome-compose', sample, 'compose.yaml'), 'utf8');
  const model = parse(source) as Json;
  const dir = writeTree({});
  dirs.push(dir);
  const ensure = (path: string) => {
    const full = isAbsolute(path) ? join(dir, 'host', path) : join(dir, path);
    // The corpus has no sources: a name with an extension is taken for a file.
    if (!path.endsWith('/') && extname(path)) {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, 'x\n');
    } else {
      mkdirSync(full, { recursive: true });
    }
    return isAbsolute(path) ? `./host${path}` : path;
  };
  const isPath = (s: string) => /^[./~]/.test(s);

  for (const service of Object.values(model['services'] as Record<string, Json>)) {
    delete service['build'];
    service['image'] = TEST_IMAGE;
    service['command'] = 'httpd -f -p 80 -h /www';
    if (typeof service['container_name'] === 'string') service['container_name'] = `\${NAME_PREFIX}${service['container_name']}`;
    const health = service['healthcheck'] as Json | undefined;
    if (health) {
      const test = health['test'] as string[];
      health['test'] = test[0] === 'CMD-SHELL' ? ['CMD-SHELL', `wget -q -O- ${HEALTH_URL} || exit 1`] : ['CMD', 'wget', '-q', '-O-', HEALTH_URL];
    }
    service['ports'] = (service['ports'] as (string | number)[] | undefined)?.map((p) => {
      const [spec = '', protocol] = String(p).split('/');
      const target = spec.split(':').at(-1)!;
      return `127.0.0.1::${target}${protocol ? `/${protocol}` : ''}`;
    });
    if (!service['ports']) delete service['ports'];
    service['volumes'] = (service['volumes'] as (string | Json)[] | undefined)?.map((v) => {
      if (typeof v !== 'string') {
        if (v['type'] === 'bind') v['source'] = ensure(String(v['source']));
        return v;
      }
      const [src = '', ...rest] = v.split(':');
      return rest.length > 0 && isPath(src) ? [ensure(src), ...rest].join(':') : v;
    });
    if (!service['volumes']) delete service['volumes'];
    for (const network of Object.values((service['networks'] ?? {}) as Record<string, Json | null>)) {
      if (network?.['ipv4_address']) network['ipv4_address'] = String(network['ipv4_address']).replace(/^\d+\.\d+\.\d+/, '${NET24}');
    }
  }
  for (const network of Object.values((model['networks'] ?? {}) as Record<string, Json | null>)) {
    for (const pool of ((network?.['ipam'] as Json | undefined)?.['config'] ?? []) as Json[]) {
      pool['subnet'] = String(pool['subnet']).replace(/^\d+\.\d+\.\d+/, '${NET24}');
    }
  }
  for (const secret of Object.values((model['secrets'] ?? {}) as Record<string, Json>)) {
    if (typeof secret['file'] === 'string') ensure(secret['file']);
  }
  const file = join(dir, 'compose.yaml');
  writeFileSync(file, stringify(model));
  return { dir, file };
}

/**
 * Seed-like: the hardening of seed 001's production file (cap_drop ALL, no-new-privileges,
 * read-only root with tmpfs, user 1000:1000, limits, ulimits, secrets from files, log rotation,
 * health checks, internal network) plus the other keys the engine translates.
 */
const HARDENED = `
x-security: &security
  security_opt: [no-new-privileges:true]
  read_only: true
  cap_drop: [ALL]
x-logging: &logging
  driver: json-file
  options: {max-size: "10m", max-file: "5"}
x-health: &health
  interval: 1s
  timeout: 2s
  retries: 30
  start_period: 2s
services:
  proxy:
    image: ${TEST_IMAGE}
    <<: *security
    cap_add: [NET_BIND_SERVICE, CHOWN, SETGID, SETUID]
    command: httpd -f -p 8080 -h /www
    ports:
      - "127.0.0.1:\${PROXY_PORT}:8080"
      - "127.0.0.1:\${ADMIN_PORT}:8081/tcp"
    tmpfs: [/var/cache/nginx, /var/run, "/tmp:size=1m,mode=1777"]
    volumes:
      - ./conf/nginx.conf:/etc/nginx/nginx.conf:ro
      - ./conf/conf.d:/etc/nginx/conf.d:ro
    secrets: [tls_certificate]
    networks: [frontend]
    depends_on:
      app: {condition: service_healthy}
    restart: unless-stopped
    logging: *logging
    healthcheck:
      <<: *health
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/health"]
    deploy:
      resources:
        limits: {cpus: '0.5', memory: 256M}
  app:
    image: ${TEST_IMAGE}
    <<: *security
    cap_add: [CHOWN, SETGID, SETUID]
    user: "1000:1000"
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    working_dir: /www
    environment:
      ENVIRONMENT: production
      DATABASE_HOST: db
      DATABASE_PORT: "5432"
      DATABASE_PASSWORD_FILE: /run/secrets/db_password
      EMPTY: ""
    secrets:
      - db_password
      - source: jwt_secret
        target: jwt
    tmpfs: [/tmp]
    extra_hosts: ["metrics.internal:10.1.2.3", "ollama:10.1.2.4"]
    init: true
    stop_signal: SIGINT
    stop_grace_period: 5s
    labels:
      com.example.tier: app
      com.example.owner: platform
    networks:
      frontend:
        aliases: [api, backend-api]
      backend:
    healthcheck:
      <<: *health
      test: ["CMD-SHELL", "wget -q -O- http://127.0.0.1:8080/health && test -r /run/secrets/db_password"]
    depends_on: [db]
    restart: on-failure:3
    logging: *logging
    deploy:
      resources:
        limits: {cpus: '2.0', memory: 512M}
        reservations: {memory: 128M}
    pids_limit: 512
    ulimits:
      nofile: {soft: 1024, hard: 4096}
      nproc: 256
  db:
    image: ${TEST_IMAGE}
    <<: *security
    cap_add: [NET_BIND_SERVICE, CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID]
    command: httpd -f -p 80 -h /www
    hostname: database
    environment: [POSTGRES_DB=agent, POSTGRES_USER=agent, "POSTGRES_PASSWORD_FILE=/run/secrets/db_password"]
    secrets: [db_password]
    volumes:
      - type: volume
        source: pgdata
        target: /var/lib/postgresql/data
        volume: {nocopy: true}
      - type: tmpfs
        target: /var/run/postgresql
        tmpfs: {size: 1048576}
      - type: bind
        source: ./init
        target: /docker-entrypoint-initdb.d
        read_only: true
    networks:
      backend:
        aliases: [postgres]
    expose: ["5432"]
    mem_limit: 256m
    mem_reservation: 64m
    cpus: 0.75
    pids_limit: 100
    stop_signal: SIGINT
    restart: always
    healthcheck:
      <<: *health
      test: ["CMD", "wget", "-q", "-O-", "${HEALTH_URL}"]
volumes:
  pgdata: {}
networks:
  frontend: {}
  backend: {internal: true}
secrets:
  db_password: {file: ./secrets/db_password.txt}
  tls_certificate: {file: ./secrets/tls.crt}
  jwt_secret: {file: ./secrets/jwt_secret.txt}
`;

/** Made by the test before the ops stack, shared by both projects, removed after. */
const EXTERNAL_NETWORK = `ss${RUN}-shared-net`;
const EXTERNAL_VOLUME = `ss${RUN}-shared-vol`;

/**
 * Seed 004's agent next to what it manages: a sidecar in its network, a one-shot it waits for,
 * external network and volume, no network at all, long-syntax mounts, entrypoint.
 */
const OPERATIONS = `
services:
  agent:
    image: ${TEST_IMAGE}
    entrypoint: ["/bin/sh", "-c"]
    command: ["exec httpd -f -p 9000 -h /www"]
    ports: ["127.0.0.1::9000"]
    environment:
      AGENT_TOKEN_FILE: /run/secrets/token
      LOG_LEVEL: info
    volumes:
      - type: bind
        source: ./state
        target: /var/lib/agent
      - agent-cache:/cache
      - /scratch
      - shared:/shared:ro
    working_dir: /var/lib/agent
    user: "65534"
    security_opt: [no-new-privileges:true, "label=disable"]
    privileged: false
    stop_grace_period: 1m30s
    restart: "no"
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:9000/health"]
      interval: 30s
      timeout: 5s
      retries: 3
      start_period: 10s
    logging:
      driver: json-file
      options: {max-size: 1m}
    networks:
      default:
      shared:
        aliases: [fleet-agent]
    depends_on:
      oneshot: {condition: service_completed_successfully}
  sidecar:
    image: ${TEST_IMAGE}
    command: httpd -f -p 9100 -h /www
    network_mode: service:agent
    depends_on: [agent]
    cap_add: [NET_ADMIN]
    ulimits: {nofile: 4096}
  oneshot:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo done"]
    restart: "no"
    tty: true
    stdin_open: true
    networks: [ops]
  isolated:
    image: ${TEST_IMAGE}
    command: sleep 3600
    network_mode: none
networks:
  ops:
    driver: bridge
    labels: {com.example.purpose: operations}
  shared:
    name: ${EXTERNAL_NETWORK}
    external: true
volumes:
  agent-cache:
    labels: {com.example.backup: "false"}
  shared:
    external: true
    name: ${EXTERNAL_VOLUME}
`;

/**
 * The less common spellings: ranges, string forms, env files, an unset variable, scale, driver
 * options, SELinux relabelling. No `configs`: docker-compose v1 ignores them outside swarm mode.
 */
const SPELLINGS = `
services:
  web:
    image: ${TEST_IMAGE}
    command: "httpd -f -p 80 -h '/www'"
    ports:
      - "127.0.0.1::80"
      - "127.0.0.1::80/udp"
      - "127.0.0.1:\${RANGE_START}-\${RANGE_END}:8000-8001"
    expose: ["3000-3002", "4000/udp"]
    environment:
      - FROM_SHELL
      - UNSET_IN_SHELL
      - WITH_EQUALS=a=b
      - "QUOTED=it's"
    env_file: [app.env]
    labels: ["com.example.list=yes", "com.example.empty="]
    volumes:
      - data:/data:ro
      - ./site:/srv/site:z
      - ./logs:/var/log/web:rw
      - type: tmpfs
        target: /cache
        tmpfs: {size: 2097152}
      - type: volume
        target: /anonymous
    healthcheck:
      test: wget -q -O- ${HEALTH_URL}
      interval: 1s
    restart: on-failure
    mem_limit: 1g
    mem_reservation: 100000000
    cpus: "1.5"
    # privileged and cap_add ALL: the engine here runs in a container that may not grant them.
    cap_add: [SYS_PTRACE]
    security_opt: ["seccomp=unconfined"]
    init: false
    read_only: false
    extra_hosts:
      gateway.internal: 10.9.8.7
    ulimits: {core: 0}
    networks:
      edge:
        priority: 10
      default:
        priority: 100
        aliases: [www]
  worker:
    image: ${TEST_IMAGE}
    entrypoint: /bin/sh -c
    command: ["exec sleep 3600"]
    scale: 2
    user: "0"
    healthcheck: {disable: true}
    stop_signal: SIGKILL
    logging: {driver: none}
    networks: [edge]
networks:
  edge:
    driver_opts: {com.docker.network.driver.mtu: "1400"}
volumes:
  data:
    driver_opts: {type: tmpfs, device: tmpfs, o: "size=1m"}
`;

/**
 * The kernel-side keys: namespaces shared with another service, links, volumes_from, DNS,
 * sysctls, devices, cgroup limits, a one-letter named volume with a name. (`cgroup` and `uts`
 * are left out: docker-compose v1 does not know them.)
 */
const KERNEL = `
services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 3600
    init: true
    sysctls: [net.core.somaxconn=1024]
    dns: 10.0.0.53
    dns_search: example.com
    dns_opt: [ndots:2]
    devices: ["/dev/null:/dev/mynull:rw"]
    device_cgroup_rules: ["c 1:3 mr"]
    links: [store, "store:bee"]
    pid: service:store
    ipc: service:store
    shm_size: 32m
    oom_score_adj: 100
    oom_kill_disable: false
    group_add: ["1234"]
    mac_address: 02:42:ac:11:65:43
    cgroup_parent: shipshape-conformance
    runtime: runc
    blkio_config: {weight: 300}
    cpu_shares: 512
    cpu_quota: 50000
    cpu_period: 100000
    cpuset: "0"
    cpu_count: 1
    mem_swappiness: 10
    mem_limit: 100m
    memswap_limit: 200m
    volumes_from: ["store:ro"]
    volumes: ["v:/data"]
    domainname: example.org
    userns_mode: host
    isolation: default
    deploy:
      restart_policy: {condition: on-failure, max_attempts: 3}
  store:
    image: ${TEST_IMAGE}
    command: sleep 3600
    init: true
    ipc: shareable
    volumes: [/shared]
volumes:
  v:
    name: \${VOLUME_NAME}
`;

interface Stack {
  id: string;
  dir: string;
  file: string;
  /** Variables per project: each project gets its own ports, subnet and container-name prefix. */
  vars: (project: string) => Promise<Record<string, string>>;
}

function inlineStack(id: string, compose: string, files: Record<string, string>, vars: Stack['vars']): Stack {
  const dir = writeTree({ 'compose.yaml': compose, ...files });
  dirs.push(dir);
  return { id, dir, file: join(dir, 'compose.yaml'), vars };
}

const portsGiven = new Set<number>();

/**
 * A port nothing listens on and not given before, for fixed published ports (a busy one fails);
 * the next one is kept free too, for a range.
 */
async function freePort(): Promise<string> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (!address || typeof address === 'string') throw new Error('no port');
    if (!portsGiven.has(address.port) && !portsGiven.has(address.port + 1)) {
      portsGiven.add(address.port).add(address.port + 1);
      return String(address.port);
    }
  }
}

// A /24 in 10.0.0.0/8 per project, none twice; the engine's default address pools are elsewhere.
const NET16 = `10.${randomInt(100, 250)}`;
let subnets = 0;

const sampleVars = async (project: string): Promise<Record<string, string>> => ({
  NAME_PREFIX: `${project}-`,
  NET24: `${NET16}.${subnets++}`,
});

// --- Facts -------------------------------------------------------------------------------------

interface Inspected {
  Id: string;
  Name: string;
  Config: Json & { Env?: string[] | null; Labels?: Record<string, string> | null; Hostname: string };
  HostConfig: Json & { NetworkMode: string; PortBindings?: Record<string, { HostIp: string; HostPort: string }[]> | null };
  Mounts: Json[];
  NetworkSettings: { Networks: Record<string, Json & { Aliases?: string[] | null; IPAMConfig?: Json | null }> };
}

/** com.docker.compose labels that name the run rather than the container (or only v1 writes the same way). */
const RUN_LABELS = new Set([LABEL.configHash, LABEL.version, LABEL.workingDir, LABEL.configFiles, LABEL.project]);
/** Labels compose v2 writes and v1 does not: checked on Shipshape's side only. */
const V2_ONLY_LABELS = new Set([LABEL.dependsOn, LABEL.image]);

/**
 * The inspect facts compared, with what legitimately differs normalized: the project name (in
 * network, volume and container names), container IDs (hostname, aliases, `container:<id>`),
 * anonymous volume names, the variables each project got, and labels only one of the tools writes.
 */
function facts(c: Inspected, project: string, vars: Record<string, string>, idToService: Map<string, string>): Json {
  const shortId = c.Id.slice(0, 12);
  const ownName = c.Name.replace(/^\//, '');
  const unproject = (s: string) => s.split(`${project}_`).join('<project>_');
  const unvar = (s: string) => Object.entries(vars).reduce((acc, [k, v]) => (v ? acc.split(v).join(`$${k}`) : acc), s);
  const host = c.HostConfig;
  const labels = Object.entries(c.Config.Labels ?? {})
    .filter(([k]) => !RUN_LABELS.has(k as never) && !V2_ONLY_LABELS.has(k as never))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  // Another container by ID (v1) or by name (compose v2, Shipshape): named by its service.
  const byService = (mode: unknown) =>
    typeof mode === 'string' && mode.startsWith('container:') ? `container:${idToService.get(mode.slice(10)) ?? mode}` : mode;
  const networkMode = host.NetworkMode.startsWith('container:') ? byService(host.NetworkMode) : unproject(host.NetworkMode);
  const volumesFrom = ((host['VolumesFrom'] as string[] | null) ?? []).map((v) => {
    const [ref = '', mode] = v.split(':');
    return `${idToService.get(ref) ?? ref}${mode ? `:${mode}` : ''}`;
  });
  // Each tool also links a container under its own names for it (`b_1`, `b-1`, the full name): compare the aliases the file gives.
  const links = (list: string[] | null | undefined) =>
    [...new Set((list ?? []).map((l) => l.split(':')).filter(([, alias = '']) => !/[-_]\d+$/.test(alias)).map(([target = '', alias]) => `${idToService.get(target) ?? target}:${alias}`))].sort();
  return {
    ports: Object.fromEntries(
      Object.entries(host.PortBindings ?? {}).map(([k, list]) => [k, list.map((b) => ({ HostIp: b.HostIp, HostPort: unvar(b.HostPort) }))]),
    ),
    exposed: Object.keys((c.Config['ExposedPorts'] as Json | null) ?? {}).sort(),
    mounts: c.Mounts.map((m) => ({
      Type: m['Type'],
      Name: m['Type'] === 'volume' ? volumeName(String(m['Name']), project) : undefined,
      Source: m['Type'] === 'bind' ? m['Source'] : undefined,
      Destination: m['Destination'],
      RW: m['RW'],
      // Binds report the mode written ("ro", "rw,z"; v1 writes "z" where v2 writes "rw,z", rw being the
      // default); Mounts entries report "" or "z" whatever was asked: compared for binds only.
      Mode: m['Type'] === 'bind' ? bindMode(String(m['Mode'])) : undefined,
      Propagation: m['Propagation'],
    })).sort((a, b) => (String(a.Destination) < String(b.Destination) ? -1 : 1)),
    tmpfsMounts: ((host['Mounts'] as Json[] | null) ?? []).filter((m) => m['Type'] === 'tmpfs'),
    env: (c.Config.Env ?? []).filter((e) => e !== 'PATH=/bin').map(unvar).sort(),
    labels: Object.fromEntries(labels),
    cmd: c.Config['Cmd'],
    entrypoint: c.Config['Entrypoint'],
    user: c.Config['User'],
    workingDir: c.Config['WorkingDir'],
    // A container's hostname is its short ID unless set; one sharing another's network has that one's.
    hostname: idToService.has(c.Config.Hostname) ? `<id of ${idToService.get(c.Config.Hostname)}>` : c.Config.Hostname,
    tty: c.Config['Tty'],
    openStdin: c.Config['OpenStdin'],
    stopSignal: c.Config['StopSignal'],
    stopTimeout: c.Config['StopTimeout'],
    healthcheck: c.Config['Healthcheck'],
    capAdd: host['CapAdd'],
    capDrop: host['CapDrop'],
    securityOpt: host['SecurityOpt'],
    privileged: host['Privileged'],
    readonlyRootfs: host['ReadonlyRootfs'],
    memory: host['Memory'],
    memoryReservation: host['MemoryReservation'],
    nanoCpus: host['NanoCpus'],
    pidsLimit: host['PidsLimit'],
    ulimits: host['Ulimits'],
    restartPolicy: host['RestartPolicy'],
    init: host['Init'],
    extraHosts: host['ExtraHosts'],
    tmpfs: host['Tmpfs'],
    logConfig: host['LogConfig'],
    networkMode,
    pidMode: byService(host['PidMode']),
    ipcMode: byService(host['IpcMode']),
    volumesFrom,
    macAddress: c.Config['MacAddress'],
    domainname: c.Config['Domainname'],
    kernel: Object.fromEntries(
      KERNEL_FIELDS.map((k) => [k, host[k]]),
    ),
    networks: Object.fromEntries(
      Object.entries(c.NetworkSettings.Networks).map(([name, n]) => [
        unproject(name),
        {
          // v1 adds the short container ID, v2 (and Shipshape) the container name: compare the rest.
          aliases: [...new Set((n.Aliases ?? []).filter((a) => a !== shortId && a !== ownName))].sort(),
          ipv4: unvar(String((n.IPAMConfig?.['IPv4Address'] as string | undefined) ?? '')),
          links: links(n['Links'] as string[] | null | undefined),
        },
      ]),
    ),
  };
}

/** HostConfig fields of the kernel-side keys, compared as the engine reports them. */
const KERNEL_FIELDS = [
  'Sysctls', 'Dns', 'DnsOptions', 'DnsSearch', 'Devices', 'DeviceCgroupRules', 'DeviceRequests', 'UsernsMode', 'UTSMode', 'Isolation',
  'ShmSize', 'OomScoreAdj', 'OomKillDisable', 'GroupAdd', 'CgroupParent', 'Runtime', 'BlkioWeight', 'CpuShares', 'CpuQuota',
  'CpuPeriod', 'CpusetCpus', 'CpuCount', 'CpuPercent', 'MemorySwappiness', 'MemorySwap',
] as const;

function bindMode(mode: string): string {
  const options = mode.split(',').filter(Boolean);
  if (options.length > 0 && !options.includes('ro') && !options.includes('rw')) options.push('rw');
  return options.sort().join(',');
}

/** Named volumes differ by project prefix; anonymous ones are random. */
function volumeName(name: string, project: string): string {
  if (/^[0-9a-f]{64}$/.test(name)) return '<anonymous>';
  return name.startsWith(`${project}_`) ? `<project>_${name.slice(project.length + 1)}` : name;
}

/** The project's networks and volumes, by name without the project prefix. */
async function resourceFacts(project: string, vars: Record<string, string>, model: Project): Promise<Json> {
  const filters = { label: [`${LABEL.project}=${project}`] };
  const [networks, volumes] = await Promise.all([docker.networks.list({ filters }), docker.volumes.list({ filters })]);
  const unproject = (s: string) => (s.startsWith(`${project}_`) ? `<project>_${s.slice(project.length + 1)}` : s);
  const unvar = (value: unknown) => Object.entries(vars).reduce((acc, [k, v]) => (v ? acc.split(v).join(`$${k}`) : acc), JSON.stringify(value ?? null));
  const ownLabels = (labels: Record<string, string> | null | undefined) =>
    Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => k !== LABEL.project && k !== LABEL.version).sort(([a], [b]) => (a < b ? -1 : 1)));
  const empty = (o: object | null | undefined) => (o && Object.keys(o).length > 0 ? o : null);
  return {
    networks: Object.fromEntries(
      networks.map((n) => {
        const declared = Object.values(model.networks).find((d) => d.name === n.Name.replace(project, model.name)) ?? {};
        return [
          unproject(n.Name),
          {
            driver: n.Driver,
            internal: n.Internal,
            // v1 makes every network attachable, v2 only those that say so.
            attachable: declared['attachable'] === undefined ? undefined : n.Attachable,
            ipv6: n.EnableIPv6,
            options: empty(n.Options),
            ipamDriver: n.IPAM?.Driver,
            // Subnets the engine picks from its pools differ; declared ones must not.
            ipamConfig: declared.ipam ? (JSON.parse(unvar(n.IPAM?.Config ?? [])) as unknown) : undefined,
            labels: ownLabels(n.Labels),
          },
        ];
      }),
    ),
    volumes: Object.fromEntries(
      volumes.map((v) => {
        const labels = ownLabels(v.Labels);
        // A volume with a name: v1 labels it with that name, compose v2 with its key (docs/compat.md).
        const key = Object.keys(model.volumes).find((k) => model.volumes[k]?.name === v.Name.replace(project, model.name));
        if (key && model.volumes[key]?.name !== `${model.name}_${key}`) delete labels[LABEL.volume];
        return [unproject(v.Name), { driver: v.Driver, options: empty(v.Options), labels }];
      }),
    ),
  };
}

async function projectContainers(project: string): Promise<Map<string, Inspected>> {
  const list = await docker.containers.list({ all: true, filters: { label: [`${LABEL.project}=${project}`] } });
  const inspected = await Promise.all(list.map((c) => docker.containers.inspect(c.Id) as Promise<unknown> as Promise<Inspected>));
  return new Map(inspected.map((c) => [`${c.Config.Labels?.[LABEL.service]}-${c.Config.Labels?.[LABEL.containerNumber]}`, c]));
}

async function removeProject(project: string): Promise<void> {
  const filters = { label: [`${LABEL.project}=${project}`] };
  const containers = await docker.containers.list({ all: true, filters });
  await Promise.all(containers.map((c) => docker.containers.remove(c.Id, { force: true, volumes: true })));
  for (const n of await docker.networks.list({ filters })) await docker.networks.remove(n.Id).catch(() => {});
  for (const v of await docker.volumes.list({ filters })) await docker.volumes.remove(v.Name).catch(() => {});
}

// --- The comparison ----------------------------------------------------------------------------

async function compare(stack: Stack): Promise<void> {
  const a = `ss${RUN}-${stack.id}-a`;
  const b = `ss${RUN}-${stack.id}-b`;
  projects.push(a, b);
  const [varsA, varsB] = await Promise.all([stack.vars(a), stack.vars(b)]);
  const envA = environment(varsA);

  const loaded = loadProject({ workingDir: stack.dir, projectName: a, env: envA });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `${stack.id} loads`);
  const model = loaded.project!;

  const shipshape = async () => {
    const result = await up(model, { docker, positionOf: loaded.positionOf, waitTimeoutMs: 45_000 });
    assert.deepEqual(result.warnings, []);
  };
  const compose = async () => {
    await exec('docker-compose', ['-f', stack.file, '-p', b, 'up', '-d'], { env: environment(varsB), cwd: stack.dir }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`docker-compose up failed for ${stack.id}: ${err.stderr ?? err.message}`);
    });
  };
  await Promise.all([shipshape(), compose()]);

  const [ours, theirs] = await Promise.all([projectContainers(a), projectContainers(b)]);
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), 'the same containers');
  // Full and short IDs, to name containers by service where an ID shows (network_mode, hostname).
  const services = (containers: Map<string, Inspected>) =>
    new Map([...containers.values()].flatMap((c) => [c.Id, c.Id.slice(0, 12), c.Name.slice(1)].map((id) => [id, c.Config.Labels?.[LABEL.service] ?? ''] as const)));
  const [servicesA, servicesB] = [services(ours), services(theirs)];
  const imageId = (await docker.images.inspect(TEST_IMAGE)).Id;
  for (const [key, mine] of ours) {
    const other = theirs.get(key)!;
    assert.deepEqual(facts(mine, a, varsA, servicesA), facts(other, b, varsB, servicesB), `${stack.id}: ${key}`);
    // What v2 writes on top: its dependency label, the image ID, the container name as an alias.
    assert.equal(mine.Config.Labels?.[LABEL.image], imageId);
    assert.ok(LABEL.dependsOn in (mine.Config.Labels ?? {}), `${key} has ${LABEL.dependsOn}`);
    for (const [network, endpoint] of Object.entries(mine.NetworkSettings.Networks)) {
      if (['none', 'host', 'bridge'].includes(network)) continue;
      assert.ok(endpoint.Aliases?.includes(mine.Name.slice(1)), `${key} is known by its name on ${network}`);
    }
  }

  const [resourcesA, resourcesB] = await Promise.all([resourceFacts(a, varsA, model), resourceFacts(b, varsB, model)]);
  assert.deepEqual(resourcesA, resourcesB, `${stack.id}: networks and volumes`);

  // docker-compose v1 lists what Shipshape started, by its labels.
  const { stdout } = await exec('docker-compose', ['-f', stack.file, '-p', a, 'ps'], { env: envA, cwd: stack.dir });
  for (const c of ours.values()) assert.match(stdout, new RegExp(`^${c.Name.slice(1)} `, 'm'), stdout);
}

describe('engine conformance with docker-compose v1', { concurrency: true }, () => {
  before(async () => {
    await requireEngine(docker);
    await exec('docker-compose', ['version', '--short']).catch(() => {
      throw new Error('docker-compose (v1) is missing; `apt-get install docker-compose`');
    });
    await ensureTestImage(docker);
  });

  after(async () => {
    await Promise.all(projects.map(removeProject));
    await docker.networks.remove(EXTERNAL_NETWORK).catch(() => {});
    await docker.volumes.remove(EXTERNAL_VOLUME).catch(() => {});
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const samples = ['nginx-golang-mysql', 'react-express-mysql', 'prometheus-grafana', 'pihole-cloudflared-DoH', 'elasticsearch-logstash-kibana'];
  for (const sample of samples) {
    it(`awesome-compose ${sample}`, async () => {
      const { dir, file } = rewriteSample(sample);
      await compare({ id: sample.split('-')[0]!.toLowerCase(), dir, file, vars: sampleVars });
    });
  }

  it('seed-like hardening: cap_drop ALL, no-new-privileges, read-only root, user, limits, ulimits, secrets', async () => {
    const stack = inlineStack(
      'hardened',
      HARDENED,
      {
        'conf/nginx.conf': 'events {}\n',
        'conf/conf.d/default.conf': '',
        'init/01-schema.sql': 'select 1;\n',
        'secrets/db_password.txt': 'not-a-real-password\n',
        'secrets/tls.crt': 'certificate\n',
        'secrets/jwt_secret.txt': 'jwt\n',
      },
      async () => ({ PROXY_PORT: await freePort(), ADMIN_PORT: await freePort() }),
    );
    await compare(stack);
  });

  it('less common spellings: ranges, env files, an unset variable, scale, driver options', async () => {
    const files = { 'app.env': 'FROM_FILE=1\n# comment\nSPACED = x\n', 'site/index.html': '', 'logs/.keep': '' };
    const stack = inlineStack('spellings', SPELLINGS, files, async () => {
      const start = Number(await freePort());
      return { FROM_SHELL: 'shell value', RANGE_START: String(start), RANGE_END: String(start + 1) };
    });
    await compare(stack);
  });

  it('kernel-side keys: namespaces, links, volumes_from, DNS, sysctls, devices, cgroup limits, a named volume', async () => {
    await compare(inlineStack('kernel', KERNEL, {}, async (project) => ({ VOLUME_NAME: `${project}_named` })));
  });

  it('seed-like operations: network_mode service and none, completed one-shot, external network and volume, entrypoint', async () => {
    await docker.networks.create({ Name: EXTERNAL_NETWORK });
    await docker.volumes.create({ Name: EXTERNAL_VOLUME });
    await compare(inlineStack('ops', OPERATIONS, { 'state/.keep': '' }, async () => ({})));
  });
});
