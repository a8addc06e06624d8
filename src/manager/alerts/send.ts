import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Destination } from './destination.js';

export interface SendOutcome {
  /** HTTP status, or null when no answer came. */
  status: number | null;
  error: string | null;
}

/** Read of an answer, at most: a receiver's page says nothing a delivery log needs. */
const MAX_ANSWER_BYTES = 1024;

/**
 * One POST to a checked destination: to its address only (the lookup is answered with it),
 * redirects never followed (a 3xx is a failed attempt), within `timeoutMs` from start to end.
 */
export function postJson(destination: Destination, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendOutcome> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (err: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  };
  const options = {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'shipshape-alerts' },
    lookup: pinned,
    signal: AbortSignal.timeout(timeoutMs),
    agent: false as const,
  };
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const onResponse = (res: IncomingMessage) => {
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) res.destroy();
      });
      const status = res.statusCode ?? 0;
      const finish = () =>
        done(
          status >= 200 && status < 300
            ? { status, error: null }
            : { status, error: status >= 300 && status < 400 ? `answered ${status} (a redirect, which is not followed)` : `answered HTTP ${status}` },
        );
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    };
    const req = destination.url.protocol === 'https:' ? httpsRequest(destination.url, options, onResponse) : httpRequest(destination.url, options, onResponse);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.name === 'AbortError' || err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.code ?? err.message);
      done({ status: null, error: reason });
    });
    req.end(body);
  });
}
