import type { Parsed } from './index.js';

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

/** One `depends_on` entry in its long form. */
export interface ServiceDependency {
  condition: DependencyCondition;
  /** Present only when true, as `docker compose config` prints it. */
  restart?: boolean;
  required: boolean;
}

/** A ulimit: one number for both limits, or the two limits. */
export type Ulimit = number | { soft: number; hard: number };

const CONDITIONS: ReadonlySet<string> = new Set<DependencyCondition>([
  'service_started',
  'service_healthy',
  'service_completed_successfully',
]);

type Failure = { ok: false; error: string };

function fail(error: string): Failure {
  return { ok: false, error };
}

/** Sets a key without letting names such as `__proto__` reach the prototype. */
function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The text of a scalar as Go's `fmt.Sprint` gives it; undefined for null, lists and mappings. */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(scalarText(v) ?? String(v));
}

/** YAML 1.1 booleans, as compose casts interpolated values (`"true"`, `"yes"`, `"off"`…). */
function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const lower = v.toLowerCase();
  if (['true', 'y', 'yes', 'on'].includes(lower)) return true;
  if (['false', 'n', 'no', 'off'].includes(lower)) return false;
  return undefined;
}

/** An integer, or a string holding one as interpolation leaves it (Go's `strconv.Atoi`). */
function toInteger(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^[+-]?[0-9]+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function cut(text: string, separator: string): [before: string, after: string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

// ---------------------------------------------------------------------------------------------
// environment
// ---------------------------------------------------------------------------------------------

/**
 * Parses the list form of `environment` (`KEY=VALUE`). `KEY` alone maps to null, meaning "take the
 * value from the environment compose runs in"; `KEY=` maps to the empty string. A later entry wins.
 * As compose, a name ending with a space (`KEY =v`) is refused.
 */
export function parseEnvironmentList(items: unknown[]): Parsed<Record<string, string | null>> {
  if (!Array.isArray(items)) return fail(`invalid environment: expected a list of KEY=VALUE strings, not ${describe(items)}`);
  const environment: Record<string, string | null> = {};
  for (const [index, item] of items.entries()) {
    const text = scalarText(item);
    if (text === undefined) {
      return fail(`invalid environment entry #${index + 1}: expected a string like KEY=VALUE, not ${describe(item)}`);
    }
    const [key, value] = cut(text, '=');
    if (key === '') return fail(`invalid environment entry ${JSON.stringify(text)}: the variable name is empty; expected KEY=VALUE or KEY`);
    if (/\s$/u.test(key)) {
      return fail(
        `invalid environment entry ${JSON.stringify(text)}: the variable name ${JSON.stringify(key)} ends with a space; remove the space before "="`,
      );
    }
    setEntry(environment, key, value ?? null);
  }
  return { ok: true, value: environment };
}

/**
 * Parses `environment` in either form. In the mapping form a null value means "take it from the
 * environment"; numbers and booleans become their text (`PORT: 80` → "80").
 */
export function parseEnvironment(v: unknown): Parsed<Record<string, string | null>> {
  if (Array.isArray(v)) return parseEnvironmentList(v);
  if (!isMapping(v)) return fail(`invalid environment: expected a mapping or a list of KEY=VALUE strings, not ${describe(v)}`);
  const environment: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(v)) {
    if (value === null || value === undefined) {
      setEntry(environment, key, null);
      continue;
    }
    const text = scalarText(value);
    if (text === undefined) {
      return fail(`invalid environment variable ${JSON.stringify(key)}: the value must be a string, a number or a boolean, not ${describe(value)}`);
    }
    setEntry(environment, key, text);
  }
  return { ok: true, value: environment };
}

// ---------------------------------------------------------------------------------------------
// labels, sysctls
// ---------------------------------------------------------------------------------------------

function parseStringMapping(v: unknown, what: string): Parsed<Record<string, string>> {
  const mapping: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const [index, item] of v.entries()) {
      const text = scalarText(item);
      if (text === undefined) return fail(`invalid ${what} entry #${index + 1}: expected a string like NAME=VALUE, not ${describe(item)}`);
      const [key, value] = cut(text, '=');
      if (key === '') return fail(`invalid ${what} entry ${JSON.stringify(text)}: the name is empty; expected NAME=VALUE`);
      setEntry(mapping, key, value ?? '');
    }
    return { ok: true, value: mapping };
  }
  if (!isMapping(v)) return fail(`invalid ${what}s: expected a mapping or a list of NAME=VALUE strings, not ${describe(v)}`);
  for (const [key, value] of Object.entries(v)) {
    const text = value === null || value === undefined ? '' : scalarText(value);
    if (text === undefined) {
      return fail(`invalid ${what} ${JSON.stringify(key)}: the value must be a string, a number or a boolean, not ${describe(value)}`);
    }
    setEntry(mapping, key, text);
  }
  return { ok: true, value: mapping };
}

/** Parses `labels` (mapping, or list of `name=value`; a name alone or a null value is ""). */
export function parseLabels(v: unknown): Parsed<Record<string, string>> {
  return parseStringMapping(v, 'label');
}

/** Parses `sysctls` (mapping, or list of `name=value`); values become text (`1024` → "1024"). */
export function parseSysctls(v: unknown): Parsed<Record<string, string>> {
  return parseStringMapping(v, 'sysctl');
}

// ---------------------------------------------------------------------------------------------
// extra_hosts
// ---------------------------------------------------------------------------------------------

/**
 * Parses `extra_hosts` as compose-go's `HostsList`: a list of `host=ip` or `host:ip` (the first
 * `=` wins, else the first `:`, so `myhost:::1` is host `myhost`, IP `::1`; `host=ip1,ip2` gives
 * two addresses), or a mapping of host to an address or a list of addresses. Brackets around an
 * address are removed (`[::1]` → `::1`). Host names may not be empty or hold `:` or `=`.
 */
export function parseExtraHosts(v: unknown): Parsed<Record<string, string[]>> {
  const hosts: Record<string, string[]> = {};
  const add = (host: string, ips: string[]): void => {
    const known = Object.prototype.hasOwnProperty.call(hosts, host) ? hosts[host] : undefined;
    setEntry(hosts, host, known === undefined ? ips : [...known, ...ips]);
  };

  if (Array.isArray(v)) {
    for (const [index, item] of v.entries()) {
      const text = scalarText(item);
      if (text === undefined) return fail(`invalid extra host #${index + 1}: expected a string like HOST=IP, not ${describe(item)}`);
      let entry: [string, string] | undefined;
      for (const separator of ['=', ':']) {
        const [host, ip] = cut(text, separator);
        if (ip !== undefined) {
          entry = [host, ip];
          break;
        }
      }
      if (entry === undefined) return fail(`invalid extra host ${JSON.stringify(text)}: the IP address is missing; expected HOST=IP`);
      add(entry[0], entry[1].split(','));
    }
  } else if (isMapping(v)) {
    for (const [host, value] of Object.entries(v)) {
      if (value === null || value === undefined) {
        add(host, ['']);
      } else if (typeof value === 'string') {
        add(host, [value]);
      } else if (Array.isArray(value)) {
        const ips: string[] = [];
        for (const ip of value) {
          const text = scalarText(ip);
          if (text === undefined) return fail(`invalid extra host ${JSON.stringify(host)}: each IP address must be a string, not ${describe(ip)}`);
          ips.push(text);
        }
        add(host, ips);
      } else {
        return fail(`invalid extra host ${JSON.stringify(host)}: expected an IP address or a list of them, not ${describe(value)}`);
      }
    }
  } else {
    return fail(`invalid extra_hosts: expected a list of HOST=IP strings or a mapping, not ${describe(v)}`);
  }

  for (const [host, ips] of Object.entries(hosts)) {
    if (host === '' || /[:=]/.test(host)) {
      return fail(`invalid extra host name ${JSON.stringify(host)}: it must not be empty or contain ":" or "="`);
    }
    setEntry(
      hosts,
      host,
      ips.map((ip) => (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip)),
    );
  }
  return { ok: true, value: hosts };
}

/** `extra_hosts` as `docker compose config` prints it: sorted `host=ip` strings. */
export function formatExtraHosts(hosts: Record<string, string[]>): string[] {
  const list = Object.entries(hosts).flatMap(([host, ips]) => ips.map((ip) => `${host}=${ip}`));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// ulimits
// ---------------------------------------------------------------------------------------------

/**
 * Parses one `ulimits` value: a single integer (both limits) or `{soft, hard}`, both required.
 * Integers left as strings by interpolation are accepted. `name` only makes errors clearer.
 */
export function parseUlimit(v: unknown, name?: string): Parsed<Ulimit> {
  const label = name === undefined ? 'ulimit' : `ulimit ${JSON.stringify(name)}`;
  if (isMapping(v)) {
    for (const key of Object.keys(v)) {
      if (key !== 'soft' && key !== 'hard' && !key.startsWith('x-')) {
        return fail(`invalid ${label}: unknown key ${JSON.stringify(key)}; expected "soft" and "hard"`);
      }
    }
    if (v['soft'] === undefined || v['hard'] === undefined) {
      return fail(`invalid ${label}: both "soft" and "hard" are required, or give one number for both`);
    }
    const soft = toInteger(v['soft']);
    const hard = toInteger(v['hard']);
    if (soft === undefined) return fail(`invalid ${label}: "soft" must be a whole number, not ${describe(v['soft'])}`);
    if (hard === undefined) return fail(`invalid ${label}: "hard" must be a whole number, not ${describe(v['hard'])}`);
    return { ok: true, value: { soft, hard } };
  }
  const single = toInteger(v);
  if (single === undefined) {
    return fail(`invalid ${label}: expected a whole number or a mapping with "soft" and "hard", not ${describe(v)}`);
  }
  return { ok: true, value: single };
}

// ---------------------------------------------------------------------------------------------
// depends_on
// ---------------------------------------------------------------------------------------------

/**
 * Normalizes `depends_on` to its long form. The list form, and a mapping entry without them, get
 * compose's defaults: `condition: service_started`, `required: true`. `restart` is kept only when
 * true. Booleans left as strings by interpolation (`"false"`, `"yes"`) are accepted.
 */
export function normalizeDependsOn(v: unknown): Parsed<Record<string, ServiceDependency>> {
  const dependencies: Record<string, ServiceDependency> = {};
  if (Array.isArray(v)) {
    for (const [index, item] of v.entries()) {
      if (typeof item !== 'string' || item === '') {
        return fail(`invalid depends_on entry #${index + 1}: expected a service name, not ${describe(item)}`);
      }
      setEntry(dependencies, item, { condition: 'service_started', required: true });
    }
    return { ok: true, value: dependencies };
  }
  if (!isMapping(v)) return fail(`invalid depends_on: expected a list of service names or a mapping, not ${describe(v)}`);

  for (const [service, entry] of Object.entries(v)) {
    const where = `invalid depends_on entry ${JSON.stringify(service)}`;
    if (!isMapping(entry)) {
      return fail(`${where}: expected a mapping such as {condition: service_healthy}, not ${describe(entry)}`);
    }
    for (const key of Object.keys(entry)) {
      if (!['condition', 'required', 'restart'].includes(key) && !key.startsWith('x-')) {
        return fail(`${where}: unknown key ${JSON.stringify(key)}; expected condition, required or restart`);
      }
    }
    const condition = entry['condition'] ?? 'service_started';
    if (typeof condition !== 'string' || !CONDITIONS.has(condition)) {
      return fail(`${where}: the condition ${describe(condition)} must be service_started, service_healthy or service_completed_successfully`);
    }
    const required = entry['required'] === undefined ? true : toBoolean(entry['required']);
    if (required === undefined) return fail(`${where}: "required" must be true or false, not ${describe(entry['required'])}`);
    const restart = entry['restart'] === undefined ? false : toBoolean(entry['restart']);
    if (restart === undefined) return fail(`${where}: "restart" must be true or false, not ${describe(entry['restart'])}`);
    setEntry(dependencies, service, {
      condition: condition as DependencyCondition,
      ...(restart ? { restart } : {}),
      required,
    });
  }
  return { ok: true, value: dependencies };
}
