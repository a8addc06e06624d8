import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseAgentConfig, startAgent, type RunningAgent } from '../../../src/agent/index.js';
import { managerConfig, type ManagerConfig } from '../../../src/manager/index.js';
import type { Manager } from '../../../src/manager/index.js';
import { freePort } from '../../helpers/ports.js';

/** The manager's fleet settings for tests: a quick inventory, alerts to loopback allowed. */
export function fleetTestConfig(overrides: Partial<ManagerConfig['fleet']> = {}): ManagerConfig['fleet'] {
  return {
    ...managerConfig().fleet,
    inventoryInterval: 1,
    webhookAllow: { networks: [{ address: '127.0.0.1', prefix: 32, family: 4 }], names: [] },
    webhookTimeout: 5,
    ...overrides,
  };
}

export { freePort };

/** Registers a host at a free loopback port and runs a real agent for it on `dockerHost`. */
export async function startHostAgent(
  manager: Manager & { url: string | undefined },
  adminKey: string,
  options: { workDir: string; hostname: string; dockerHost?: string; version?: string; env?: Record<string, string> },
): Promise<{ hostId: string; agent: RunningAgent }> {
  const apiPort = await freePort();
  const response = await manager.app.inject({
    method: 'POST',
    url: '/hosts',
    headers: { 'x-admin-key': adminKey },
    payload: { hostname: options.hostname, ip: '127.0.0.1', api_port: apiPort, max_containers: 10 },
  });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  const { id, server_key } = response.json() as { id: string; server_key: string };
  const parsed = parseAgentConfig({
    DOCKER_SOCKET: options.dockerHost ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
    MANAGER_URL: manager.url!,
    HOST_ID: id,
    SERVER_KEY: server_key,
    HEARTBEAT_INTERVAL: '0.3',
    API_PORT: String(apiPort),
    API_HOST: '127.0.0.1',
    WORK_DIR: join(options.workDir, options.hostname),
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  const agent = await startAgent({ config: parsed.config, version: options.version ?? '0.0.0-test' });
  return { hostId: id, agent };
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP listener on 127.0.0.1 that records what is POSTed to it; `answer` decides each status. */
export async function startHookListener(answer: (n: number) => number = () => 204): Promise<{ url: string; received: ReceivedHook[]; server: Server; close: () => Promise<void> }> {
  const received: ReceivedHook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = answer(received.length);
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:9/elsewhere' } : {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
