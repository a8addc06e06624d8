import { isIP } from 'node:net';
import type { Parsed } from './index.js';

/** One published or exposed port, in the long form `docker compose config` prints. */
export interface PortConfig {
  mode: 'ingress' | 'host';
  host_ip?: string;
  target: number;
  published?: string;
  protocol: string;
  app_protocol?: string;
  name?: string;
}

const SHORT_FORM = '[[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]';
const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);
const LONG_KEYS = new Set(['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol']);
const MAX_PORT = 65535;

interface PortRange {
  start: number;
  end: number;
}

/**
 * Parses a port range the way docker's go-connections `nat` package (v0.7, which docker compose
 * ships) does: `N` or `N-M`, decimal digits, 0–65535, M not below N. On failure returns the
 * reason, to be put after "the published port" or "the container port".
 */
function parseRange(text: string): PortRange | string {
  const dash = text.indexOf('-');
  const startText = dash < 0 ? text : text.slice(0, dash);
  const endText = dash < 0 ? startText : text.slice(dash + 1);
  const start = parsePortNumber(startText);
  if (typeof start === 'string') return start;
  if (endText === startText) return { start, end: start };
  const end = parsePortNumber(endText);
  if (typeof end === 'string') return end;
  if (end < start) return `range ${text} ends before it starts`;
  return { start, end };
}

function parsePortNumber(text: string): number | string {
  // go-connections reads ports with strconv.ParseInt, which takes a leading "+".
  if (!/^\+?[0-9]+$/.test(text)) return 'must be a number or a range like 8000-8010';
  const port = Number(text);
  if (port > MAX_PORT) return `${text} is out of range (0-${MAX_PORT})`;
  return port;
}

/** An IP address as Go's `net.ParseIP` accepts it: dotted IPv4 or IPv6, without a zone. */
function isIpAddress(text: string): boolean {
  return isIP(text) !== 0 && !text.includes('%');
}

function invalid(spec: string, why: string): { ok: false; error: string } {
  return { ok: false, error: `invalid port ${JSON.stringify(spec)}: ${why}` };
}

/**
 * Splits `ip:published:target`. Everything before the last two colons is the IP, so a raw IPv6
 * address works (`::1:8080:80`) as well as a bracketed one (`[::1]:8080:80`), as in `nat`.
 */
function splitParts(spec: string): [ip: string, published: string, target: string] {
  const parts = spec.split(':');
  const n = parts.length;
  if (n === 1) return ['', '', parts[0] ?? ''];
  if (n === 2) return ['', parts[0] ?? '', parts[1] ?? ''];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2] ?? '', parts[n - 1] ?? ''];
}

/**
 * Parses a short port spec (`80`, `"8080:80"`, `"127.0.0.1:8000-8010:8000-8010/udp"`) into the
 * long form, as compose-go's `ParsePortConfig` does on top of docker's `nat.ParsePortSpec`:
 * - a container range expands into one entry per port, paired with the published range;
 * - a published range with a single container port stays one entry (`published: "8000-8010"`),
 *   the engine picks one free port from it;
 * - entries come sorted by `"<port>/<protocol>"` as strings (so 10000 sorts before 9999), which is
 *   the order `docker compose config` prints;
 * - the protocol is lower-cased and must be tcp, udp or sctp.
 */
export function parsePortShort(spec: string | number): Parsed<PortConfig[]> {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 0 || spec > MAX_PORT) {
      return { ok: false, error: `invalid port ${spec}: a port number must be a whole number from 0 to ${MAX_PORT}` };
    }
    return parsePortShort(String(spec));
  }
  if (typeof spec !== 'string') {
    return { ok: false, error: `invalid port ${describe(spec)}: expected a number or a string like "8080:80"` };
  }

  const [rawIp, published, containerPart] = splitParts(spec);
  const slash = containerPart.indexOf('/');
  const container = slash < 0 ? containerPart : containerPart.slice(0, slash);
  const protocol = (slash < 0 ? '' : containerPart.slice(slash + 1)).toLowerCase() || 'tcp';
  if (container === '') return invalid(spec, `no container port is given; expected ${SHORT_FORM}`);
  if (!PROTOCOLS.has(protocol)) return invalid(spec, 'the protocol must be tcp, udp or sctp');

  let hostIp = rawIp;
  if (hostIp.startsWith('[')) {
    const inner = hostIp.slice(1, -1);
    if (!hostIp.endsWith(']') || inner === '' || /[[\]]/.test(inner)) {
      return invalid(spec, `${JSON.stringify(rawIp)} is not an IP address; write an IPv6 address as [::1]`);
    }
    hostIp = inner;
  }
  if (hostIp !== '' && !isIpAddress(hostIp)) return invalid(spec, `${JSON.stringify(hostIp)} is not an IP address`);

  const targets = parseRange(container);
  if (typeof targets === 'string') return invalid(spec, `the container port ${targets}`);
  let hosts: PortRange | undefined;
  if (published !== '') {
    const parsed = parseRange(published);
    if (typeof parsed === 'string') return invalid(spec, `the published port ${parsed}`);
    hosts = parsed;
    const targetSpan = targets.end - targets.start;
    if (targetSpan !== 0 && targetSpan !== hosts.end - hosts.start) {
      return invalid(
        spec,
        `the published range ${published} and the container range ${container} must have the same length`,
      );
    }
  }

  const count = targets.end - targets.start + 1;
  const entries: { key: string; port: PortConfig }[] = [];
  for (let i = 0; i < count; i++) {
    const target = targets.start + i;
    const port: PortConfig = {
      mode: 'ingress',
      ...(hostIp !== '' ? { host_ip: hostIp } : {}),
      target,
      ...(hosts === undefined ? {} : { published: publishedPort(hosts, i, count) }),
      protocol,
    };
    entries.push({ key: `${target}/${protocol}`, port });
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { ok: true, value: entries.map((e) => e.port) };
}

/**
 * Normalizes one long-syntax port mapping: `target` as a number (a numeric string, as left by
 * interpolation, is accepted), `published` as a string, and the defaults compose-go adds
 * (`protocol: tcp`, `mode: ingress`). Empty strings are dropped, as compose's `omitempty` does.
 * `x-*` extension keys are ignored.
 */
export function normalizePortLong(raw: Record<string, unknown>): Parsed<PortConfig> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: `invalid port ${describe(raw)}: expected a mapping with at least "target"` };
  }
  const fail = (why: string): { ok: false; error: string } => ({
    ok: false,
    error: `invalid port mapping ${describeLong(raw)}: ${why}`,
  });

  for (const key of Object.keys(raw)) {
    if (!LONG_KEYS.has(key) && !key.startsWith('x-')) {
      return fail(`unknown key ${JSON.stringify(key)}; expected ${[...LONG_KEYS].join(', ')}`);
    }
  }

  const strings: Partial<Record<'name' | 'mode' | 'host_ip' | 'protocol' | 'app_protocol', string>> = {};
  for (const key of ['name', 'mode', 'host_ip', 'protocol', 'app_protocol'] as const) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return fail(`"${key}" must be a string`);
    if (value !== '') strings[key] = value;
  }

  const rawTarget = raw['target'];
  let target: number;
  if (typeof rawTarget === 'number' && Number.isInteger(rawTarget)) {
    target = rawTarget;
  } else if (typeof rawTarget === 'string' && /^\+?[0-9]+$/.test(rawTarget)) {
    target = Number(rawTarget);
  } else if (rawTarget === undefined || rawTarget === null) {
    return fail('"target" (the container port) is required');
  } else {
    return fail(`"target" must be a port number from 0 to ${MAX_PORT}`);
  }
  if (target < 0 || target > MAX_PORT) return fail(`"target" must be a port number from 0 to ${MAX_PORT}`);

  let published: string | undefined;
  const rawPublished = raw['published'];
  if (typeof rawPublished === 'number') {
    if (!Number.isInteger(rawPublished) || rawPublished < 0 || rawPublished > MAX_PORT) {
      return fail(`"published" must be a port number from 0 to ${MAX_PORT} or a range like 8000-8010`);
    }
    published = String(rawPublished);
  } else if (typeof rawPublished === 'string') {
    if (rawPublished !== '') {
      const range = parseRange(rawPublished);
      if (typeof range === 'string') return fail(`"published" ${range}`);
      published = rawPublished;
    }
  } else if (rawPublished !== undefined && rawPublished !== null) {
    return fail('"published" must be a port number or a range like 8000-8010');
  }

  const mode = strings.mode ?? 'ingress';
  if (mode !== 'ingress' && mode !== 'host') return fail('"mode" must be "ingress" or "host"');
  if (strings.host_ip !== undefined && !isIpAddress(strings.host_ip)) {
    return fail(`"host_ip" ${JSON.stringify(strings.host_ip)} is not an IP address`);
  }

  // Keys in compose-go's field order, which is the order `docker compose config` prints.
  const port: PortConfig = {
    ...(strings.name !== undefined ? { name: strings.name } : {}),
    mode,
    ...(strings.host_ip !== undefined ? { host_ip: strings.host_ip } : {}),
    target,
    ...(published !== undefined ? { published } : {}),
    protocol: strings.protocol ?? 'tcp',
    ...(strings.app_protocol !== undefined ? { app_protocol: strings.app_protocol } : {}),
  };
  return { ok: true, value: port };
}

/** A published range paired with a single container port stays a range: the engine picks from it. */
function publishedPort(hosts: PortRange, index: number, count: number): string {
  return count === 1 && hosts.start !== hosts.end ? `${hosts.start}-${hosts.end}` : String(hosts.start + index);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value) ?? String(value);
}

function describeLong(raw: Record<string, unknown>): string {
  const target = raw['target'];
  return typeof target === 'number' || typeof target === 'string'
    ? `with target ${JSON.stringify(target)}`
    : `{${Object.keys(raw).join(', ')}}`;
}
