import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { DASHBOARD_HTML } from './page.js';

/** Only the manager's own origin: no inline script or style, nothing from elsewhere (docs/security.md). */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Where `npm run build` puts the bundled dashboard (scripts/build-dashboard.mjs), next to this module. */
const ASSETS = new URL('./assets/', import.meta.url);

/**
 * The web dashboard: one page, its script and its style sheet, all public (the data behind them
 * is not: the page logs in for a session cookie and reads the API with it). The script and style
 * sheet are read once, when the manager starts; without a build they answer 503 saying so.
 */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const headers = {
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
  const asset = (path: string, type: string, body: string | undefined, file: string) =>
    app.get(path, { schema: { hide: true } }, async (_request, reply) => {
      if (body === undefined) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .headers(headers)
          .send(`The dashboard is not built (${file} is missing): run npm run build.\n`);
      }
      return reply.type(type).headers(headers).send(body);
    });
  const [script, style] = await Promise.all([readAsset('app.js'), readAsset('app.css')]);
  asset('/', 'text/html; charset=utf-8', DASHBOARD_HTML, 'the page');
  asset('/ui/app.js', 'text/javascript; charset=utf-8', script, 'dist/src/web/assets/app.js');
  asset('/ui/app.css', 'text/css; charset=utf-8', style, 'dist/src/web/assets/app.css');
}

async function readAsset(name: string): Promise<string | undefined> {
  try {
    return await readFile(new URL(name, ASSETS), 'utf8');
  } catch {
    return undefined;
  }
}
