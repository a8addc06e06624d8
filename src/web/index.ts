import type { FastifyInstance } from 'fastify';
import { DASHBOARD_CSS, DASHBOARD_HTML } from './page.js';
import { DASHBOARD_JS } from './script.js';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The web dashboard: one page, its script and its style sheet, all public (the data behind them
 * is not: the page logs in for a session cookie and reads the API with it).
 */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const asset = (path: string, type: string, body: string) =>
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type(type)
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(body),
    );
  asset('/', 'text/html; charset=utf-8', DASHBOARD_HTML);
  asset('/ui/app.js', 'text/javascript; charset=utf-8', DASHBOARD_JS);
  asset('/ui/app.css', 'text/css; charset=utf-8', DASHBOARD_CSS);
}
