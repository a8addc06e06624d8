import http from 'node:http';
import https from 'node:https';
import type { Command } from 'commander';
import { isLoopbackAddress } from '../settings/index.js';
import { EXIT, UsageError } from './exit.js';

const TIMEOUT_MS = 3000;

/**
 * `shipshape healthcheck [URL]`: a container's HEALTHCHECK without a shell or curl in the image
 * (docs/deploy.md). It asks the manager's or the agent's `GET /health` in the same container, on
 * loopback only, and exits 0 on a 200. Over HTTPS the certificate is not checked: the answer is
 * trusted for liveness only, nothing secret is sent, and the address cannot leave the machine.
 */
export function registerHealthcheckCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('healthcheck')
    .description("Exit 0 when the manager or agent on this machine answers GET /health with 200 (a container's HEALTHCHECK)")
    .argument('[url]', 'a loopback URL', 'http://127.0.0.1:8000/health')
    .action(async (raw: string) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new UsageError(`"${raw}" is not a URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`the URL must be http:// or https://, not ${url.protocol}`);
      if (!isLoopbackAddress(url.hostname.replace(/^\[|\]$/g, ''))) throw new UsageError(`the URL must name this machine (127.0.0.1, ::1 or localhost), not ${url.hostname}`);
      const status = await probe(url);
      if (status === 200) {
        process.stdout.write(`healthy: ${url.href} answered 200\n`);
        return;
      }
      process.stderr.write(`unhealthy: ${url.href} ${typeof status === 'number' ? `answered ${status}` : status}\n`);
      setExit(EXIT.findings);
    });
}

function probe(url: URL): Promise<number | string> {
  return new Promise((done) => {
    const options = { timeout: TIMEOUT_MS, ...(url.protocol === 'https:' ? { rejectUnauthorized: false } : {}) };
    const request = (url.protocol === 'https:' ? https : http).get(url, options, (response) => {
      response.resume();
      done(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    request.on('error', (err) => done((err as NodeJS.ErrnoException).code ?? err.message));
  });
}
