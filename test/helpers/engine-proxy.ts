import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One Engine API call that went through the proxy. */
export interface ProxiedCall {
  method: string;
  /** The path without the API version prefix: `/containers/create?name=…`. */
  path: string;
  /** The engine's status once its answer was passed on (or swallowed). */
  status?: number;
  /** Held: never sent to the engine. Swallowed: sent, but its answer is never passed on. */
  fate: 'pass' | 'hold' | 'swallow';
}

export type Decide = (call: ProxiedCall, earlier: readonly ProxiedCall[]) => ProxiedCall['fate'];

export interface EngineProxy {
  /** `unix://…` for DOCKER_HOST of the process under test. */
  host: string;
  calls: ProxiedCall[];
  /** Resolves once `predicate` holds for the calls so far (checked on every change), or rejects after `timeoutMs`. */
  until(predicate: (calls: readonly ProxiedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Drops held and swallowed calls (the engine never answers them) and stops listening. */
  close(): Promise<void>;
}

/**
 * A pass-through in front of the real Docker engine, for fault tests: the process under test talks
 * to the engine through it, every request and answer goes through unchanged, and the test learns
 * exactly which call the process has reached. `decide` can hold a call (the engine never sees
 * it) so the test can kill the process at that point, deterministically, or swallow an answer
 * (the engine did the work, the process never hears of it). Nothing is simulated: every effect is
 * the engine's own.
 */
export async function startEngineProxy(decide: Decide = () => 'pass'): Promise<EngineProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'ssproxy-'));
  const socketPath = join(dir, 'engine.sock');
  const upstream = upstreamOptions();
  const calls: ProxiedCall[] = [];
  const waiters = new Set<() => void>();
  const pending = new Set<ServerResponse>();
  const changed = () => waiters.forEach((w) => w());

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const call: ProxiedCall = { method: req.method ?? 'GET', path: (req.url ?? '/').replace(/^\/v\d+\.\d+/, ''), fate: 'pass' };
    call.fate = decide(call, calls);
    calls.push(call);
    changed();
    if (call.fate === 'hold') {
      pending.add(res);
      req.resume();
      return;
    }
    const forward = request({ ...upstream, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (call.fate === 'swallow') {
        answer.resume();
        answer.on('end', () => {
          call.status = answer.statusCode;
          pending.add(res);
          changed();
        });
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // A stream (GET /events) may send no body for a long time; its caller waits for the head.
      res.flushHeaders();
      answer.pipe(res);
      answer.on('end', () => {
        call.status = answer.statusCode;
        changed();
      });
    });
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });

  return {
    host: `unix://${socketPath}`,
    calls,
    until: (predicate, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(calls)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`the process under test did not reach the awaited engine call in ${timeoutMs} ms; calls so far:\n${calls.map(describeCall).join('\n')}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: async () => {
      for (const res of pending) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function describeCall(c: ProxiedCall): string {
  return `${c.method} ${c.path} ${c.fate}${c.status === undefined ? '' : ` ${c.status}`}`;
}

/** Where the real engine is: DOCKER_HOST (unix:// or tcp://) or the default socket. */
function upstreamOptions(): RequestOptions {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('tcp://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return { socketPath: host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock' };
}
