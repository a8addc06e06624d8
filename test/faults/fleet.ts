import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDockerClient, type DockerClient } from '../../src/docker/index.js';
import { TEST_IMAGE } from '../helpers/test-image.js';
import { freePort } from '../helpers/ports.js';

/**
 * Real processes for the fault suite (docs/reliability.md, "Agent and manager"): `shipshape
 * manager` and `shipshape agent` as an operator runs them, on SQLite and the real engine, each in
 * a scratch folder of the test, killed with SIGKILL when the test says so and always at the end.
 */

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const BIN = join(REPO, 'bin', 'shipshape.js');
const ADMIN = { email: 'faults@example.com', password: 'fault-suite-password-1' };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Proc {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  private alive = true;

  constructor(readonly name: string, readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.output.push(line);
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((done) =>
      child.once('exit', (code) => {
        this.alive = false;
        done(code);
      }),
    );
  }

  get running(): boolean {
    return this.alive;
  }

  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 8_000);
    await this.exited;
    clearTimeout(timer);
  }

  tail(lines = 30): string {
    return `--- ${this.name} (last lines) ---\n${this.output.slice(-lines).join('\n')}`;
  }
}

export { freePort };

export interface AgentSpec {
  name: string;
  hostId: string;
  serverKey: string;
  apiHost: string;
  apiPort: number;
  workDir: string;
  dockerHost: string;
  managerUrl: string;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface DeploymentView {
  id: string;
  name: string;
  state: string;
  reason: string | null;
  host_id: string | null;
}

export interface HostView {
  id: string;
  status: string;
  last_heartbeat: string | null;
}

/** One manager and its agents for one test; `close()` ends every process and removes every folder. */
export class Fleet {
  readonly dir = mkdtempSync(join(tmpdir(), 'shipshape-faults-'));
  /** Every stack name of this test starts with it: what the checker and the clean-up look for. */
  readonly prefix = `flt${randomBytes(3).toString('hex')}`;
  readonly procs = new Set<Proc>();
  manager: Proc | undefined;
  managerUrl = '';
  adminKey = '';
  private managerPort = 0;

  constructor(private readonly options: { managerHost?: string; offlineAfter?: number; env?: Record<string, string> } = {}) {}

  get database(): string {
    return join(this.dir, 'manager.db');
  }

  spawn(name: string, args: string[], env: Record<string, string>, netns?: string): Proc {
    const command = netns ? 'ip' : process.execPath;
    const argv = netns ? ['netns', 'exec', netns, process.execPath, BIN, ...args] : [BIN, ...args];
    const child = spawn(command, argv, {
      cwd: this.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new Proc(name, child);
    this.procs.add(proc);
    return proc;
  }

  async startManager(): Promise<Proc> {
    const host = this.options.managerHost ?? '127.0.0.1';
    if (!this.managerPort) this.managerPort = await freePort(host);
    this.managerUrl = `http://${host}:${this.managerPort}`;
    const proc = this.spawn(
      'manager',
      ['manager', '--port', String(this.managerPort), '--host', host, '--database', `sqlite://${this.database}`, ...(host === '127.0.0.1' ? [] : ['--insecure'])],
      {
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        OFFLINE_AFTER: String(this.options.offlineAfter ?? 3),
        AGENT_TIMEOUT: '120',
        LOG_LEVEL: 'warn',
        // Plain HTTP also off loopback (with --insecure): only the test's own namespace pair sees it.
        TLS: 'off',
        ...this.options.env,
      },
    );
    this.manager = proc;
    await this.until(async () => (await this.fetch('GET', '/health').catch(() => undefined))?.status === 200, 30_000, 'the manager answering', proc);
    if (!this.adminKey) {
      const login = await this.fetch<{ admin_key: string }>('POST', '/auth/login', ADMIN);
      if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
      this.adminKey = login.body.admin_key;
    }
    return proc;
  }

  /** Registers a host for an agent at `apiHost` on a free port. */
  async registerHost(name: string, apiHost = '127.0.0.1', maxContainers = 20): Promise<{ hostId: string; serverKey: string; apiPort: number }> {
    const apiPort = await freePort(apiHost === '127.0.0.1' ? apiHost : '127.0.0.1');
    const answer = await this.api<{ id: string; server_key: string }>('POST', '/hosts', { hostname: name, ip: apiHost, api_port: apiPort, max_containers: maxContainers });
    if (answer.status !== 201) throw new Error(`register ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { hostId: answer.body.id, serverKey: answer.body.server_key, apiPort };
  }

  /** An agent for a registered host, heartbeating every second. */
  async startAgent(spec: AgentSpec): Promise<Proc> {
    const proc = this.spawn(
      spec.name,
      ['agent', ...(spec.apiHost === '127.0.0.1' ? [] : ['--insecure'])],
      {
        SERVER_KEY: spec.serverKey,
        HOST_ID: spec.hostId,
        MANAGER_URL: spec.managerUrl,
        HEARTBEAT_INTERVAL: '1',
        API_PORT: String(spec.apiPort),
        API_HOST: spec.apiHost,
        WORK_DIR: spec.workDir,
        DOCKER_SOCKET: spec.dockerHost,
        LOG_LEVEL: 'warn',
      },
      spec.netns,
    );
    return proc;
  }

  /** A host registered and its agent started, on the shared engine unless told otherwise. */
  async addAgent(name: string, dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'): Promise<AgentSpec & { proc: Proc }> {
    const host = await this.registerHost(name);
    const spec: AgentSpec = { name, ...host, apiHost: '127.0.0.1', workDir: join(this.dir, name), dockerHost, managerUrl: this.managerUrl };
    const proc = await this.startAgent(spec);
    await this.waitOnline(host.hostId, proc);
    return { ...spec, proc };
  }

  async waitOnline(hostId: string, proc?: Proc, timeoutMs = 30_000): Promise<void> {
    await this.until(async () => (await this.host(hostId))?.status === 'online', timeoutMs, `host ${hostId} online`, proc);
  }

  async host(id: string): Promise<HostView | undefined> {
    const answer = await this.api<HostView>('GET', `/hosts/${id}`).catch(() => undefined);
    return answer?.status === 200 ? answer.body : undefined;
  }

  async deployments(): Promise<DeploymentView[]> {
    const answer = await this.api<DeploymentView[]>('GET', `/deployments?limit=10000`);
    if (answer.status !== 200) throw new Error(`GET /deployments: ${answer.status}`);
    return answer.body.filter((d) => d.name.startsWith(this.prefix));
  }

  async deploy(name: string, compose: string): Promise<DeploymentView> {
    const answer = await this.api<DeploymentView>('POST', '/deployments', { name, compose });
    if (answer.status !== 202) throw new Error(`deploy ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  api<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    return this.fetch<T>(method, path, body, { 'x-admin-key': this.adminKey });
  }

  async fetch<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const response = await fetch(`${this.managerUrl}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Kept as text.
    }
    return { status: response.status, body: parsed as T };
  }

  /** Polls `check` every 100 ms; fails with the processes' last lines. */
  async until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, ...procs: (Proc | undefined)[]): Promise<number> {
    const began = Date.now();
    for (;;) {
      if (await check()) return Date.now() - began;
      if (Date.now() - began > timeoutMs) {
        const logs = [...procs, this.manager].filter((p): p is Proc => p !== undefined).map((p) => p.tail()).join('\n');
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${logs}`);
      }
      await sleep(100);
    }
  }

  /** Ends every process, removes what this test's stacks left on `engines`, and the scratch folder. */
  async close(engines: DockerClient[] = []): Promise<void> {
    await Promise.all([...this.procs].map((p) => p.kill9()));
    for (const docker of [createDockerClient(), ...engines]) await removeProjects(docker, this.prefix).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Containers, networks and volumes of compose projects named with `prefix`. */
export async function removeProjects(docker: DockerClient, prefix: string): Promise<void> {
  const mine = (labels: Record<string, string> | null | undefined) => (labels?.['com.docker.compose.project'] ?? '').startsWith(prefix);
  for (const c of await docker.containers.list({ all: true, filters: { label: ['com.docker.compose.project'] } })) {
    if (mine(c.Labels)) await docker.containers.remove(c.Id, { force: true, volumes: true }).catch(() => undefined);
  }
  for (const n of await docker.networks.list({ filters: { label: ['com.docker.compose.project'] } })) {
    if (mine(n.Labels)) await docker.networks.remove(n.Id).catch(() => undefined);
  }
  for (const v of await docker.volumes.list({ filters: { label: ['com.docker.compose.project'] } })) {
    if (mine(v.Labels)) await docker.volumes.remove(v.Name).catch(() => undefined);
  }
}

/**
 * Stacks whose deploy takes a few seconds: `gate` turns healthy (or, with `fail`, exits 3) after
 * `seconds`, and `web` waits for it. Each has a volume and the project's network, so an
 * interrupted deploy has everything to leave behind.
 */
export function slowStack(options: { seconds?: number; fail?: boolean; networkNone?: boolean } = {}): string {
  const seconds = options.seconds ?? 4;
  const loop = `trap 'exit 0' TERM; while :; do sleep 1; done`;
  const gate = options.fail ? `sleep ${seconds}; exit 3` : `sleep ${seconds}; touch /tmp/ready; ${loop}`;
  const net = options.networkNone ? '    network_mode: none\n' : '';
  return `services:
  gate:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "${gate}"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      timeout: 1s
      retries: 60
    stop_grace_period: 3s
    restart: ${options.fail ? '"no"' : 'unless-stopped'}
${net}  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "${loop}"]
    depends_on:
      gate:
        condition: ${options.fail ? 'service_completed_successfully' : 'service_healthy'}
    volumes:
      - data:/data
    stop_grace_period: 3s
    restart: unless-stopped
${net}volumes:
  data: {}
`;
}
