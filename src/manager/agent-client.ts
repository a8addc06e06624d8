/**
 * How the manager talks to agents: machine-lab's `/agent/containers` routes, which Shipshape's
 * agent serves too, so a fleet may mix both. Every call carries the host's server key as
 * X-Server-Key and has a deadline; answers are values, never exceptions.
 */

export interface AgentTarget {
  ip: string;
  apiPort: number;
  serverKey: string;
}

export type AgentResult =
  | { ok: true; status: number; body: unknown }
  | { ok: false; status: number | null; body: unknown; reason: string };

export interface AgentContainer {
  name: string;
  status: string;
}

export interface AgentClient {
  /** `docker compose up -d` of a ZIP package, as project `name`. */
  launch(target: AgentTarget, name: string, zip: Buffer, signal: AbortSignal): Promise<AgentResult>;
  restart(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult>;
  /** `docker compose down`; an agent that does not know the stack (404) counts as done. */
  remove(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult>;
  /** The containers running on the host; undefined when the agent cannot be asked. */
  containers(target: AgentTarget, signal: AbortSignal): Promise<AgentContainer[] | undefined>;
}

export function agentBaseUrl(target: Pick<AgentTarget, 'ip' | 'apiPort'>): string {
  const host = target.ip.includes(':') && !target.ip.startsWith('[') ? `[${target.ip}]` : target.ip;
  return `http://${host}:${target.apiPort}`;
}

export class HttpAgentClient implements AgentClient {
  launch(target: AgentTarget, name: string, zip: Buffer, signal: AbortSignal): Promise<AgentResult> {
    // machine-lab's agent requires a VPN profile; Shipshape manages none and sends an empty one.
    const body = JSON.stringify({ name, docker_zip_base64: zip.toString('base64'), vpn_conf_base64: '' });
    return this.call(target, 'POST', '/agent/containers', body, signal, [201, 200]);
  }

  restart(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult> {
    return this.call(target, 'POST', `/agent/containers/${encodeURIComponent(name)}/restart`, undefined, signal, [200]);
  }

  remove(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult> {
    return this.call(target, 'DELETE', `/agent/containers/${encodeURIComponent(name)}`, undefined, signal, [200, 202, 204, 404]);
  }

  async containers(target: AgentTarget, signal: AbortSignal): Promise<AgentContainer[] | undefined> {
    const result = await this.call(target, 'GET', '/agent/containers', undefined, signal, [200]);
    if (!result.ok || !Array.isArray(result.body)) return undefined;
    return result.body
      .filter((c): c is { name: unknown; status?: unknown } => typeof c === 'object' && c !== null && 'name' in c)
      .map((c) => ({ name: String(c.name), status: String(c.status ?? '') }));
  }

  private async call(
    target: AgentTarget,
    method: string,
    path: string,
    body: string | undefined,
    signal: AbortSignal,
    expected: readonly number[],
  ): Promise<AgentResult> {
    let response: Response;
    try {
      response = await fetch(`${agentBaseUrl(target)}${path}`, {
        method,
        headers: { 'x-server-key': target.serverKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body,
        signal,
      });
    } catch (err) {
      return { ok: false, status: null, body: null, reason: `the agent at ${agentBaseUrl(target)} did not answer: ${describeFetchError(err, signal)}` };
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: kept as text, shortened below.
    }
    if (typeof parsed === 'string') parsed = parsed.slice(0, 2_000);
    if (expected.includes(response.status)) return { ok: true, status: response.status, body: parsed };
    return { ok: false, status: response.status, body: parsed, reason: `the agent answered HTTP ${response.status}: ${summarize(parsed)}` };
  }
}

/** The agent's own words for a failure, short: its `detail` or `error.message` when it has one. */
function summarize(body: unknown): string {
  if (body && typeof body === 'object') {
    const detail = (body as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail.slice(0, 300);
    const message = (body as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message.slice(0, 300);
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (text ?? '').replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 300);
}

function describeFetchError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return signal.reason instanceof Error && signal.reason.name === 'TimeoutError' ? 'timed out' : 'cancelled';
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  return (err as Error)?.message ?? String(err);
}
