import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildManager, managerConfig, readZip, writeZip, type BuildManagerOptions, type Manager, type ManagerConfig } from '../../src/manager/index.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The PostgreSQL the tests may use; scripts/test-env.mjs starts it when it is the default. */
export const TEST_POSTGRES_URL = process.env.SHIPSHAPE_TEST_DATABASE_URL ?? 'postgres://shipshape_test:shipshape_test@127.0.0.1:55432/shipshape_test';

/** A database of its own for one test: an SQLite file in a scratch folder, or a new PostgreSQL database. */
export async function freshDatabase(kind: DatabaseKind): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'shipshape-manager-test-'));
    return { url: `sqlite:${join(dir, 'manager.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `shipshape_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' };

export interface TestManager extends Manager {
  url: string | undefined;
  /** Closes the app and drops its database. */
  dispose(): Promise<void>;
}

/** A manager on a fresh database, quiet, with a known admin; `listen` puts it on a loopback port. */
export async function startTestManager(
  kind: DatabaseKind,
  options: { config?: Partial<ManagerConfig>; listen?: boolean; databaseUrl?: string } & Omit<BuildManagerOptions, 'config'> = {},
): Promise<TestManager> {
  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await freshDatabase(kind);
  const config = managerConfig({ databaseUrl: database.url, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...options.config });
  const manager = await buildManager({ logger: false, rateLimit: false, ...options, config });
  let url: string | undefined;
  if (options.listen) {
    await manager.app.listen({ host: '127.0.0.1', port: 0 });
    url = `${manager.scheme}://127.0.0.1:${(manager.app.server.address() as AddressInfo).port}`;
  } else {
    await manager.app.ready();
  }
  return {
    ...manager,
    url,
    dispose: async () => {
      await manager.app.close();
      await database.drop();
    },
  };
}

export async function login(manager: Manager, credentials: { email: string; password: string } = ADMIN): Promise<string> {
  const response = await manager.app.inject({ method: 'POST', url: '/auth/login', payload: { email: credentials.email, password: credentials.password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return (response.json() as { admin_key: string }).admin_key;
}

export async function registerHost(
  manager: Manager,
  adminKey: string,
  host: { hostname?: string; ip?: string; api_port?: number; max_containers?: number } = {},
): Promise<{ id: string; server_key: string }> {
  const response = await manager.app.inject({
    method: 'POST',
    url: '/hosts',
    headers: { 'x-admin-key': adminKey },
    payload: { hostname: 'host', ip: nextAddress(), api_port: 8003, max_containers: 10, ...host },
  });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  return response.json() as { id: string; server_key: string };
}

let addresses = 0;

/** A host address no other registration of this process used: the manager refuses duplicates. */
function nextAddress(): string {
  const n = ++addresses;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export async function heartbeat(manager: Manager, hostId: string, serverKey: string, figures: Record<string, unknown> = {}) {
  return manager.app.inject({
    method: 'POST',
    url: `/hosts/${hostId}/heartbeat`,
    headers: { 'x-server-key': serverKey },
    payload: { cpu: 10, mem: 20, containers: 0, ...figures },
  });
}

/** A compose project as a ZIP, compose.yaml at its top. */
export function composeZip(compose = 'services:\n  web:\n    image: nginx:1.27-alpine\n', extra: Record<string, string> = {}): Buffer {
  return writeZip([
    { path: 'compose.yaml', data: Buffer.from(compose) },
    ...Object.entries(extra).map(([path, text]) => ({ path, data: Buffer.from(text) })),
  ]);
}

/** A multipart/form-data body with one file field, as curl -F sends it. */
export function multipart(field: string, filename: string, data: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----shipshape${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/zip\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, data, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function launch(manager: Manager, adminKey: string, zip = composeZip(), userId = 'user-1') {
  const form = multipart('file', 'package.zip', zip);
  return manager.app.inject({
    method: 'POST',
    url: `/containers/launch?user_id=${encodeURIComponent(userId)}`,
    headers: { 'x-admin-key': adminKey, 'content-type': form.contentType },
    payload: form.body,
  });
}

export interface FakeAgentCall {
  method: string;
  url: string;
  serverKey: string | undefined;
  body: unknown;
}

export interface FakeAgent {
  app: FastifyInstance;
  port: number;
  calls: FakeAgentCall[];
  /** Stack names the fake runs, as machine-lab's GET /agent/containers lists their containers. */
  running: Set<string>;
  /** The package each stack was launched from. */
  packages: Map<string, Buffer>;
  /**
   * Stacks deploying, as a Shipshape agent's GET /stacks lists them (`deploying`; the running ones
   * are listed `running`); DELETE of one is refused (409) as the real agent refuses a busy stack.
   */
  deploying: Set<string>;
  /**
   * What POST /agent/containers does: answer at once (default), fail, hang until released (then
   * run it), or hang up without an answer and leave the stack deploying.
   */
  mode: 'ok' | 'fail' | 'hang' | 'hang-up';
  release(): void;
  close(): Promise<void>;
}

/** A machine-lab style agent on 127.0.0.1: it checks the server key like the real one and records calls. */
export async function startFakeAgent(expectedKey: () => string | undefined, port = 0): Promise<FakeAgent> {
  const app = Fastify({ bodyLimit: 64 * 2 ** 20, forceCloseConnections: true });
  let releaseHang: () => void = () => undefined;
  let hang = new Promise<void>((resolve) => (releaseHang = resolve));
  const agent: FakeAgent = {
    app,
    port: 0,
    calls: [],
    running: new Set(),
    packages: new Map(),
    deploying: new Set(),
    mode: 'ok',
    release: () => {
      releaseHang();
      hang = new Promise<void>((resolve) => (releaseHang = resolve));
    },
    close: async () => {
      releaseHang();
      await app.close();
    },
  };
  app.addHook('onRequest', async (request, reply) => {
    const key = request.headers['x-server-key'];
    if (typeof key !== 'string' || key !== expectedKey()) return reply.code(401).send({ detail: 'Invalid server key' });
  });
  app.addHook('preHandler', async (request) => {
    agent.calls.push({ method: request.method, url: request.url, serverKey: request.headers['x-server-key'] as string | undefined, body: request.body });
  });
  app.post('/agent/containers', async (request, reply) => {
    const body = request.body as { name: string; docker_zip_base64: string };
    if (agent.mode === 'hang-up') {
      agent.deploying.add(body.name);
      request.raw.socket.destroy();
      return reply;
    }
    if (agent.mode === 'hang') {
      agent.deploying.add(body.name);
      await hang;
      if (!agent.deploying.delete(body.name)) return reply.code(500).send({ detail: 'rolled back' });
    }
    if (agent.mode === 'fail') return reply.code(500).send({ detail: "'docker compose up' failed: exit status 1" });
    agent.running.add(body.name);
    agent.packages.set(body.name, Buffer.from(body.docker_zip_base64, 'base64'));
    return reply.code(201).send({ name: body.name, status: 'started' });
  });
  // What a Shipshape agent hands over for a move: the files of the package it was given.
  app.get('/stacks/:name/files', async (request, reply) => {
    const { name } = request.params as { name: string };
    const zip = agent.running.has(name) ? agent.packages.get(name) : undefined;
    if (!zip) return reply.code(404).send({ error: { code: 'not_found', message: `no stack ${name}` } });
    const entries = await readZip(zip, { maxEntries: 1000, maxExpandedBytes: 2 ** 26 });
    return { name, files: entries.map((e) => ({ path: e.path, content: e.data.toString('base64') })) };
  });
  const summary = (name: string, status: 'running' | 'deploying') => ({
    name,
    status,
    reason: null,
    source: 'machine-lab',
    created_at: new Date(0).toISOString(),
    updated_at: new Date(0).toISOString(),
    containers: { running: status === 'running' ? 1 : 0, total: 1 },
  });
  app.get('/stacks', async () => [...[...agent.running].map((name) => summary(name, 'running')), ...[...agent.deploying].map((name) => summary(name, 'deploying'))]);
  app.get('/agent/containers', async () => [...agent.running].map((name) => ({ id: name, name: `${name}-web-1`, image: 'nginx', status: 'running' })));
  app.post('/agent/containers/:name/restart', async (request, reply) => {
    const { name } = request.params as { name: string };
    if (!agent.running.has(name)) return reply.code(404).send({ detail: 'Environment not found' });
    return { name, status: 'restarted' };
  });
  app.delete('/agent/containers/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    if (agent.deploying.has(name)) return reply.code(409).send({ detail: `stack ${name} is busy` });
    if (!agent.running.delete(name)) return reply.code(404).send({ detail: 'Environment not found' });
    return { name, status: 'removed' };
  });
  await app.listen({ host: '127.0.0.1', port });
  agent.port = (app.server.address() as AddressInfo).port;
  return agent;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface RawZipEntry {
  name: string;
  data: Buffer;
  /** 0 stored, 8 deflated (default). */
  method?: number;
  /** Unix mode in the external attributes (symlinks are 0o120777). */
  mode?: number;
  /** What the headers claim the unpacked size is (default: the truth). */
  declaredSize?: number;
  flags?: number;
  /** Already deflated: `data` is the deflated body and `crc` the checksum of what it inflates to. */
  deflated?: { crc: number };
}

/** A ZIP archive built byte by byte, unsafe ones included: writeZip refuses to make those. */
export function rawZip(entries: readonly RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const method = entry.method ?? 8;
    const body = method === 8 && !entry.deflated ? deflateRawSync(entry.data) : entry.data;
    const size = entry.declaredSize ?? entry.data.length;
    const crc = entry.deflated?.crc ?? crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
