import { Document, isScalar, YAMLMap, type Node, type Pair } from 'yaml';
import type { PortConfig } from '../compose/index.js';
import type { Because, HardenPlan, ServicePlan } from './types.js';

type Doc = Document.Parsed | Document;

/** The comment above a change: the findings it fixes, then why. */
function comment(because: Because): string {
  const rules = because.rules.length > 0 ? because.rules.join(', ') : 'hardening';
  return ` ${rules}: ${because.note}`;
}

function pair(doc: Doc, key: string, value: unknown, because?: Because, tag?: '!reset' | '!override'): Pair<Node, Node> {
  const node = doc.createNode(value) as Node;
  if (tag) node.tag = tag;
  const p = doc.createPair(key, node) as Pair<Node, Node>;
  if (because && isScalar(p.key)) p.key.commentBefore = comment(because);
  return p;
}

/** Short syntax (`127.0.0.1:5432:5432/tcp`), which docker-compose v1 reads too (its long syntax has no host_ip). */
function portEntry(port: PortConfig): string {
  const ip = port.host_ip?.includes(':') ? `[${port.host_ip}]` : (port.host_ip ?? '');
  return `${ip}:${port.published ?? ''}:${port.target}/${port.protocol}`;
}

function servicePairs(doc: Doc, s: ServicePlan): Pair<Node, Node>[] {
  const out: Pair<Node, Node>[] = [];
  if (s.user) out.push(pair(doc, 'user', s.user.user, s.user));
  if (s.capabilities) {
    out.push(pair(doc, 'cap_drop', ['ALL'], s.capabilities));
    if (s.capabilities.add.length > 0) out.push(pair(doc, 'cap_add', s.capabilities.add));
  }
  if (s.noNewPrivileges) out.push(pair(doc, 'security_opt', ['no-new-privileges:true'], s.noNewPrivileges));
  if (s.readOnly) {
    out.push(pair(doc, 'read_only', true, s.readOnly));
    if (s.readOnly.tmpfs.length > 0) out.push(pair(doc, 'tmpfs', s.readOnly.tmpfs));
  }
  if (s.limits) {
    // Service-level keys: docker compose and docker-compose v1 both read them (v1 has no deploy.resources.limits.pids).
    const l = s.limits;
    const because = { rules: l.rules, note: l.measured ? `${l.note} (sized from the peaks --verify observed)` : `${l.note} (defaults: run --verify to size them from observed peaks)` };
    const first = [l.memory ? ['mem_limit', l.memory] : undefined, l.cpus ? ['cpus', Number(l.cpus)] : undefined, l.pids ? ['pids_limit', l.pids] : undefined].filter(
      (x): x is [string, string | number] => x !== undefined,
    );
    first.forEach(([key, value], i) => out.push(pair(doc, key, value, i === 0 ? because : undefined)));
  }
  if (s.logRotation) out.push(pair(doc, 'logging', { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } }, s.logRotation));
  if (s.restart) out.push(pair(doc, 'restart', s.restart.policy, s.restart));
  if (s.healthcheck) {
    const check = { test: s.healthcheck.test, interval: '30s', timeout: '5s', retries: 3, start_period: '10s' };
    out.push(pair(doc, 'healthcheck', check, s.healthcheck));
  }
  if (s.ports) out.push(pair(doc, 'ports', s.ports.ports.map(portEntry), s.ports, '!override'));
  if (s.networks) {
    const value = Object.fromEntries(s.networks.networks.map((n) => [n, null]));
    out.push(pair(doc, 'networks', value, s.networks, s.networks.replace ? '!override' : undefined));
  }
  if (s.secrets) {
    const sec = s.secrets;
    if (sec.removeEnvironment.length > 0 || Object.keys(sec.setEnvironment).length > 0) {
      const env = new YAMLMap<Node, Node>();
      for (const key of sec.removeEnvironment) env.items.push(pair(doc, key, null, undefined, '!reset'));
      for (const [key, value] of Object.entries(sec.setEnvironment)) env.items.push(pair(doc, key, value));
      const p = doc.createPair('environment', env) as Pair<Node, Node>;
      if (isScalar(p.key)) p.key.commentBefore = comment(sec);
      out.push(p);
    }
    if (sec.refs.length > 0) out.push(pair(doc, 'secrets', sec.refs.map((r) => (r.target ? r : r.source)), sec.volumes ? undefined : sec));
    if (sec.volumes) {
      const volumes = sec.volumes.map((v) => ({ type: v.type, ...(v.source ? { source: v.source } : {}), target: v.target, ...(v.read_only ? { read_only: true } : {}) }));
      out.push(pair(doc, 'volumes', volumes, sec, '!override'));
    }
  }
  return out;
}

/**
 * The overlay as YAML: only what changes, each change under a comment naming the findings it
 * fixes; `!override`/`!reset` where a base value must go. The user's files are never touched.
 */
export function renderOverlay(plan: HardenPlan, header: string[]): string {
  const doc = new Document({});
  const root = doc.contents as YAMLMap<Node, Node>;
  const services = new YAMLMap<Node, Node>();
  for (const s of Object.values(plan.services)) {
    const pairs = servicePairs(doc, s);
    if (pairs.length === 0) continue;
    const map = new YAMLMap<Node, Node>();
    map.items.push(...pairs);
    services.items.push(doc.createPair(s.name, map) as Pair<Node, Node>);
  }
  root.items.push(doc.createPair('services', services) as Pair<Node, Node>);
  if (Object.keys(plan.networks).length > 0) {
    const networks = new YAMLMap<Node, Node>();
    for (const [name, n] of Object.entries(plan.networks)) networks.items.push(pair(doc, name, { internal: true }, n));
    root.items.push(doc.createPair('networks', networks) as Pair<Node, Node>);
  }
  if (Object.keys(plan.secrets).length > 0) {
    const secrets = new YAMLMap<Node, Node>();
    for (const [name, s] of Object.entries(plan.secrets)) secrets.items.push(pair(doc, name, { file: s.file }, s));
    root.items.push(doc.createPair('secrets', secrets) as Pair<Node, Node>);
  }
  doc.commentBefore = header.map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}
