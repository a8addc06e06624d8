import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAgent } from '../../../src/agent/app.js';
import { parseAgentConfig } from '../../../src/agent/config.js';
import type { AgentApp } from '../../../src/agent/context.js';
import type { Enrollment } from '../../../src/agent/enrollment.js';

export interface Answer {
  status: number;
  body: string;
}

/**
 * One HTTPS request that trusts `ca` only and shows `client` (a certificate and key) when given.
 * The peer's name is not checked: the tests call 127.0.0.1, which an agent certificate may not name.
 */
export function httpsCall(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; ca: string; client?: { cert: string; key: string } },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
        ca: options.ca,
        ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
        checkServerIdentity: () => undefined,
        agent: false,
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface EnrolledAgent {
  app: AgentApp;
  url: string;
  routes: { method: string; url: string }[];
  close(): Promise<void>;
}

/** An enrolled agent in this process, on HTTPS at 127.0.0.1, as `shipshape agent` starts it from WORK_DIR. */
export async function startEnrolledAgent(workDir: string, enrollment: Enrollment, heartbeatMs: number): Promise<EnrolledAgent> {
  const parsed = parseAgentConfig({ WORK_DIR: workDir, API_HOST: '127.0.0.1', API_PORT: '0', LOG_LEVEL: 'silent' }, { enrolled: true });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  // The auth matrix sends hundreds of refused requests on purpose: no refusal limit here.
  const app = buildAgent({ config: parsed.config, version: '0.0.0-test', logStream: false, enrollment, refusalLimit: 0, heartbeat: { intervalMs: heartbeatMs, timeoutMs: 5_000 } });
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs/') && route.url !== '/docs/json') return;
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url: `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    routes,
    close: () => app.close(),
  };
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
