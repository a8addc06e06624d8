import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildAgent, type AgentOptions } from '../../../src/agent/app.js';
import { parseAgentConfig } from '../../../src/agent/config.js';
import type { AgentApp } from '../../../src/agent/context.js';
import { createDockerClient } from '../../../src/docker/index.js';

export const KEY = 'test-server-key-0123456789abcdef';
export const AUTH = { 'x-server-key': KEY };

export interface TestAgent {
  app: AgentApp;
  workDir: string;
  /** Every JSON log line the agent wrote. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * An agent on a fresh WORK_DIR, built as `shipshape agent` builds it from `env` (SERVER_KEY and
 * WORK_DIR are filled in), logging into memory at debug level.
 */
export async function testAgent(
  env: Record<string, string> = {},
  options: Partial<AgentOptions> = {},
  beforeReady?: (app: AgentApp) => void,
): Promise<TestAgent> {
  const workDir = mkdtempSync(join(tmpdir(), 'shipshape-agent-'));
  const parsed = parseAgentConfig({ SERVER_KEY: KEY, WORK_DIR: workDir, LOG_LEVEL: 'debug', ...env });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  const logs: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  // Suites send many bad requests on purpose; the refusal limit is on where a test sets it.
  const refusalLimit = env.REFUSAL_LIMIT === undefined ? { refusalLimit: 0 } : {};
  const app = buildAgent({ config: parsed.config, version: '0.0.0-test', logStream, ...refusalLimit, ...options });
  beforeReady?.(app);
  await app.ready();
  return {
    app,
    workDir,
    logs,
    close: async () => {
      await app.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A name no other run uses, valid as a stack name. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A unix socket that forwards to the real engine's, and can be stopped and started again at the
 * same path: "the engine goes away and comes back" without touching the dockerd other tests use.
 */
export class EngineProxy {
  readonly path = join(mkdtempSync(join(tmpdir(), 'shipshape-proxy-')), 'docker.sock');
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  /** Listens at `path`; a proxy already listening stays as it is (a second listen would never answer). */
  async start(): Promise<void> {
    if (this.server) return;
    const engine = createDockerClient().endpoint;
    this.server = createServer((client) => {
      const upstream = engine.kind === 'unix' ? connect(engine.socketPath) : connect(engine.port, engine.host);
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(this.path, resolve));
  }

  /** Nothing listens at the path any more (the socket file is gone, as when dockerd stops). */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
