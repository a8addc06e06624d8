import { isSecretName, MASK } from './mask.js';
import { secretCandidates } from './rules/security/secrets/candidates.js';
import { isNotASecret } from './rules/security/secrets/patterns.js';
import type { RuleContext } from './types.js';

/**
 * Masking by value (docs/rules/hardcoded-secret.md, "What is never printed"): every value a
 * secret rule or heuristic found (compose values, `.env` and `env_file` files, mounted
 * configuration files, URL passwords, command flags) and every value of a secret-named variable
 * or build argument is collected here, and removed from every string of the environment's
 * report before any format renders it. Public defaults (`changeme`, `supersecret`) are masked
 * too: the finding says why the value is weak, never the value. Readable stay the words of the
 * report's own prose (REPORT_WORDS) and values that the project prints anyway as a name (a password equal to its service, network, volume, image or
 * user name, which the finding reports as such). Values shorter than four characters are not
 * searched for: they would mask ordinary words.
 */
export function secretValues(ctx: RuleContext): string[] {
  const names = publicNames(ctx);
  const values = new Set<string>();
  const add = (value: string | null | undefined) => {
    if (typeof value !== 'string') return;
    const v = value.trim();
    if (v.length < 4 || isNotASecret(v) || names.has(v.toLowerCase()) || REPORT_WORDS.has(v.toLowerCase())) return;
    values.add(v);
  };
  for (const c of secretCandidates(ctx)) add(c.value);
  for (const service of Object.values(ctx.project.services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) if (isSecretName(key)) add(value);
    for (const [key, value] of Object.entries(service.build?.args ?? {})) if (isSecretName(key)) add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/**
 * Weak values that are also words of the report's own prose and product names (`password`,
 * `admin`, `postgres`): masking them would garble every message, and they disclose nothing.
 * `default-credential` shows none of them in full either.
 */
const REPORT_WORDS = new Set([
  'password', 'secret', 'admin', 'administrator', 'root', 'default', 'user', 'test', 'example', 'guest', 'demo',
  'welcome', 'pass', 'postgres', 'mysql', 'mariadb', 'redis', 'mongo', 'mongodb', 'elastic', 'grafana',
  'keycloak', 'neo4j', 'couchdb',
]);

/** Names the report prints as structure, lower-cased: services, networks, volumes, image names, non-secret values. */
function publicNames(ctx: RuleContext): Set<string> {
  const names = new Set<string>([ctx.project.name, ...Object.keys(ctx.project.networks), ...Object.keys(ctx.project.volumes)].map((n) => n.toLowerCase()));
  for (const [name, service] of Object.entries(ctx.project.services)) {
    names.add(name.toLowerCase());
    if (typeof service.image === 'string') for (const part of service.image.toLowerCase().split(/[/:@]/)) names.add(part);
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (typeof value === 'string' && !isSecretName(key)) names.add(value.trim().toLowerCase());
    }
  }
  return names;
}

/** From this length on, a value is masked wherever it appears, even inside a longer word. */
export const LONG = 8;

/** Replaces every occurrence of the values in every string of `data` (in place, keys kept). */
export function scrubValues<T>(data: T, values: readonly string[]): T {
  if (values.length === 0) return data;
  // A short value only as a whole word (`admin` must not eat `mysqladmin`); a long one anywhere
  // (`-pQm7vX2pL9sK4wR8t` is a password glued to its flag).
  const patterns = values.map((v) => {
    const text = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(v.length >= LONG ? text : `(?<![A-Za-z0-9])${text}(?![A-Za-z0-9])`, 'g');
  });
  const scrub = (text: string): string => {
    let out = text;
    values.forEach((v, i) => {
      if (out.includes(v)) out = out.replace(patterns[i]!, MASK);
    });
    return out;
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return scrub(node);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = walk(node[i]);
      return node;
    }
    if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) record[key] = walk(record[key]);
      return node;
    }
    return node;
  };
  return walk(data) as T;
}
