import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedBeat {
  at: number;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * A stand-in for the manager's heartbeat endpoint on 127.0.0.1: records every request and
 * answers with whatever `respond` says (a status, or 'hang' to never answer).
 */
export class FakeManager {
  readonly beats: ReceivedBeat[] = [];
  respond: () => number | 'hang' = () => 200;
  private server: Server | undefined;
  private readonly hanging = new Set<import('node:http').ServerResponse>();
  private waiters: { count: number; resolve: () => void }[] = [];

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        this.beats.push({ at: Date.now(), url: req.url ?? '', headers: req.headers, body });
        this.waiters = this.waiters.filter((w) => (this.beats.length >= w.count ? (w.resolve(), false) : true));
        const answer = this.respond();
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer, { 'content-type': 'application/json' }).end(answer < 300 ? '{"ack":true}' : '{"detail":"down"}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` requests have arrived in total. */
  waitFor(count: number, timeoutMs = 15_000): Promise<void> {
    if (this.beats.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.beats.length} of ${count} heartbeats arrived within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A logger that drops everything, for code that wants one. */
export function silentLogger(): import('fastify').FastifyBaseLogger {
  const noop = () => {};
  const logger = { level: 'silent', fatal: noop, error: noop, warn: noop, info: noop, debug: noop, trace: noop, silent: noop, child: () => logger };
  return logger as unknown as import('fastify').FastifyBaseLogger;
}
