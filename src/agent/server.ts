import type { AddressInfo } from 'node:net';
import { buildAgent, type AgentOptions } from './app.js';
import type { AgentApp } from './context.js';
import { listenDecision } from '../settings/index.js';

/** The agent would serve plain HTTP on an address other machines reach (docs/agent.md, "Security"). */
export class ListenRefused extends Error {
  readonly code = 'LISTEN_REFUSED';
}

export interface RunningAgent {
  app: AgentApp;
  /** `http(s)://host:port` it listens on. */
  url: string;
  close(): Promise<void>;
}

/** How long a stop waits for requests under way before it cuts their connections. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Builds the agent and listens on API_HOST:API_PORT. Rejects when it cannot listen. `close()`
 * stops taking requests, ends followed logs and other open streams, lets the rest finish for
 * up to `shutdownGraceMs`, then closes whatever connections are left (a client that went away
 * without closing its socket would otherwise hold the agent until the server's own timeouts).
 */
export async function startAgent(options: AgentOptions & { shutdownGraceMs?: number }): Promise<RunningAgent> {
  const decision = listenDecision({
    host: options.config.apiHost,
    tls: options.enrollment !== undefined,
    insecure: options.config.insecure,
    hint: 'enroll this agent (shipshape agent --enroll TOKEN --manager URL) for a certificate',
  });
  if (!decision.ok) throw new ListenRefused(decision.reason);
  const app = buildAgent(options);
  try {
    await app.listen({ host: options.config.apiHost, port: options.config.apiPort });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const grace = options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
  const close = async () => {
    const timer = setTimeout(() => app.server.closeAllConnections(), grace);
    timer.unref();
    try {
      await app.close();
    } finally {
      clearTimeout(timer);
    }
  };
  return { app, url: `${decision.scheme}://${host}:${address.port}`, close };
}
