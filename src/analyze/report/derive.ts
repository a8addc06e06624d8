import type { EnvironmentReport, GraphEdge, InventoryPort, InventoryService, InventoryVolume } from '../report-types.js';
import { SEVERITIES, type Category, type Finding, type Severity } from '../types.js';
import { compareCis } from '../cis/index.js';
import type { RuleInfo } from './types.js';

// What the human-readable formats (text, md, html) compute from a report. The JSON report stays
// the single source of facts; these are views of it, so every format says the same thing.

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

/** `1 critical, 2 high, 1 low` (only the severities present); `no findings` when empty. */
export function describeCounts(counts: SeverityCounts): string {
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'no findings';
}

/** Reading order in a file: by file, line, column, then the worse finding first. */
export function compareByPlace(a: Finding, b: Finding): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.rule, b.rule) ||
    compareText(a.message, b.message)
  );
}

/** Non-empty groups, critical first, each in reading order. */
export function groupBySeverity<F extends Finding>(findings: readonly F[]): [Severity, F[]][] {
  return SEVERITIES.map((severity): [Severity, F[]] => [
    severity,
    findings.filter((f) => f.severity === severity).sort(compareByPlace),
  ]).filter(([, group]) => group.length > 0);
}

/** Groups by file in reading order; findings without a file (line 0) come first under ''. */
export function groupByFile(findings: readonly Finding[]): [string, Finding[]][] {
  const groups = new Map<string, Finding[]>();
  for (const finding of [...findings].sort(compareByPlace)) {
    const group = groups.get(finding.file) ?? [];
    group.push(finding);
    groups.set(finding.file, group);
  }
  return [...groups];
}

/**
 * `--group-by cis`: findings under each CIS recommendation they fail, in benchmark order (a finding
 * failing two is under both), then those the benchmark has no recommendation for, under null.
 */
export function groupByCis<F extends Finding>(findings: readonly F[]): [string | null, F[]][] {
  const groups = new Map<string | null, F[]>();
  for (const finding of findings) {
    const ids = finding.cis && finding.cis.length > 0 ? finding.cis : [null];
    for (const id of ids) groups.set(id, [...(groups.get(id) ?? []), finding]);
  }
  return [...groups].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : compareCis(a, b)));
}

/** `CIS 5.5`, `CIS 5.11, 5.29`, or '' for a finding the benchmark has no recommendation for. */
export function cisLabel(finding: Pick<Finding, 'cis'>): string {
  return finding.cis && finding.cis.length > 0 ? `CIS ${finding.cis.join(', ')}` : '';
}

/** `compose.yaml:12:9`, `compose.yaml:12`, `compose.yaml`, or '' for a finding with no place. */
export function place(finding: Pick<Finding, 'file' | 'line' | 'column'>): string {
  if (!finding.file) return '';
  if (finding.line <= 0) return finding.file;
  return finding.column > 0 ? `${finding.file}:${finding.line}:${finding.column}` : `${finding.file}:${finding.line}`;
}

// ---------------------------------------------------------------------------------------------
// Inventory cells
// ---------------------------------------------------------------------------------------------

/** `0.0.0.0:8080→80/tcp`, `127.0.0.1:5432→5432/tcp`, `9000/tcp` for a port that is not published. */
export function portLabel(port: InventoryPort): string {
  const target = `${port.target}/${port.protocol}`;
  if (port.published === null) return target;
  const host = port.host_ip ? (port.host_ip.includes(':') ? `[${port.host_ip}]` : port.host_ip) : '0.0.0.0';
  return `${host}:${port.published}→${target}`;
}

/** `db_data → /var/lib/postgresql/data`, `./nginx.conf → /etc/nginx/nginx.conf (ro)`, `tmpfs → /tmp`. */
export function volumeLabel(volume: InventoryVolume): string {
  const source = volume.source ?? volume.type;
  const flags = [volume.read_only ? 'ro' : '', volume.exists === false ? 'missing' : ''].filter(Boolean);
  return `${source} → ${volume.target}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`;
}

export function imageLabel(service: InventoryService): string {
  if (service.build) {
    const built = `build ${service.build.context}${service.build.dockerfile ? ` (${service.build.dockerfile})` : ''}`;
    return service.image ? `${service.image} ← ${built}` : built;
  }
  return service.image ?? '—';
}

/** The hardening a reader checks first, as short facts: `user 1000`, `read-only`, `cap_drop ALL`. */
export function hardeningFacts(service: InventoryService): { good: string[]; bad: string[] } {
  const good: string[] = [];
  const bad: string[] = [];
  if (service.privileged) bad.push('privileged');
  const user = service.user?.split(':')[0];
  if (user === undefined || user === '') bad.push('user from image');
  else if (user === 'root' || user === '0') bad.push(`user ${service.user}`);
  else good.push(`user ${service.user}`);
  (service.read_only ? good : bad).push(service.read_only ? 'read-only rootfs' : 'writable rootfs');
  if (service.cap_drop.length > 0) good.push(`cap_drop ${service.cap_drop.join(',')}`);
  if (service.cap_add.length > 0) bad.push(`cap_add ${service.cap_add.join(',')}`);
  for (const option of service.security_opt) {
    (/unconfined|disable/i.test(option) ? bad : good).push(option);
  }
  return { good, bad };
}

export function resourcesLabel(service: InventoryService): string {
  const { cpus, memory, pids } = service.resources;
  const parts = [cpus ? `cpus ${cpus}` : '', memory ? `mem ${memory}` : '', pids !== null ? `pids ${pids}` : ''];
  return parts.filter(Boolean).join(', ') || 'none';
}

export function healthcheckLabel(service: InventoryService): string {
  const check = service.healthcheck;
  if (!check) return 'none';
  if (check.test[0] === 'NONE') return 'disabled';
  const [kind, ...rest] = check.test;
  const command = kind === 'CMD-SHELL' ? rest.join(' ') : kind === 'CMD' ? rest.join(' ') : check.test.join(' ');
  return check.interval ? `${command} (every ${check.interval})` : command;
}

// ---------------------------------------------------------------------------------------------
// Communication and segmentation
// ---------------------------------------------------------------------------------------------

/** Each service's networks: what the service lists, plus where a network lists it as a member. */
export function networksByService(env: EnvironmentReport): Map<string, string[]> {
  const byService = new Map<string, Set<string>>();
  for (const service of env.inventory.services) byService.set(service.name, new Set(service.networks));
  for (const network of env.inventory.networks) {
    for (const member of network.services) {
      const set = byService.get(member) ?? new Set<string>();
      set.add(network.name);
      byService.set(member, set);
    }
  }
  return new Map([...byService].map(([name, set]) => [name, [...set].sort(compareText)]));
}

export interface MatrixCell {
  /** Edges from the row service to the column service. */
  edges: GraphEdge[];
  /** Networks both services are on: they can reach each other there, edge or not. */
  networks: string[];
}

export interface CommunicationMatrix {
  services: string[];
  cell(from: string, to: string): MatrixCell;
}

export function communicationMatrix(env: EnvironmentReport): CommunicationMatrix {
  const services = env.inventory.services.map((s) => s.name);
  const networks = networksByService(env);
  const modes = new Map(env.inventory.services.map((s) => [s.name, s.network_mode]));
  return {
    services,
    cell(from, to) {
      const edges = env.graph.edges.filter((e) => e.from === from && e.to === to);
      const mine = networks.get(from) ?? [];
      const theirs = new Set(networks.get(to) ?? []);
      const shared = from === to ? [] : mine.filter((n) => theirs.has(n));
      // `network_mode: service:x` puts both in one network namespace: they talk over localhost.
      const sameNamespace = from !== to && (modes.get(from) === `service:${to}` || modes.get(to) === `service:${from}`);
      return { edges, networks: sameNamespace ? [...shared, 'network_mode service'] : shared };
    },
  };
}

/** `depends_on`, `env-url :5432`: what an edge is, for a label. */
export function edgeLabel(edge: GraphEdge): string {
  return edge.port !== null ? `${edge.kind} :${edge.port}` : edge.kind;
}

export interface Bridge {
  service: string;
  networks: string[];
  /** Joins an internal network to one that is not: a path around the isolation. */
  crossesIsolation: boolean;
}

export interface Segmentation {
  external: InventoryService[];
  internal: InventoryService[];
  isolated: InventoryService[];
  bridges: Bridge[];
}

export function segmentation(env: EnvironmentReport): Segmentation {
  const internalNetworks = new Set(env.inventory.networks.filter((n) => n.internal).map((n) => n.name));
  const networks = networksByService(env);
  const bridges: Bridge[] = [];
  for (const service of env.inventory.services) {
    const joined = networks.get(service.name) ?? [];
    if (joined.length < 2) continue;
    const internal = joined.filter((n) => internalNetworks.has(n)).length;
    bridges.push({ service: service.name, networks: joined, crossesIsolation: internal > 0 && internal < joined.length });
  }
  const services = env.inventory.services;
  return {
    external: services.filter((s) => s.exposure === 'external'),
    internal: services.filter((s) => s.exposure === 'internal'),
    isolated: services.filter((s) => s.exposure === 'isolated'),
    bridges,
  };
}

/** Services the start order leaves out: they sit on a dependency cycle (or depend on one). */
export function unorderedServices(env: EnvironmentReport): string[] {
  const ordered = new Set(env.graph.startup_order.flat());
  return env.inventory.services.map((s) => s.name).filter((name) => !ordered.has(name));
}

/** Published ports on a non-loopback interface, the way the world reaches a service. */
export function externalPorts(service: InventoryService): InventoryPort[] {
  return service.ports.filter((p) => p.external);
}

// ---------------------------------------------------------------------------------------------
// Scores
// ---------------------------------------------------------------------------------------------

export type ScoreName = 'overall' | 'security' | 'production_readiness';

export const SCORE_TITLES: Readonly<Record<ScoreName, string>> = {
  overall: 'Overall',
  security: 'Security',
  production_readiness: 'Production readiness',
};

/** Which categories feed a score (docs/scoring.md); `overall` takes every finding. */
const SCORE_CATEGORIES: Readonly<Record<ScoreName, readonly Category[] | null>> = {
  overall: null,
  security: ['security'],
  production_readiness: ['validation', 'reliability'],
};

export type Verdict = 'good' | 'fair' | 'poor';

const VERDICT_WORDS: Readonly<Record<ScoreName, Record<Verdict, string>>> = {
  overall: { good: 'GOOD', fair: 'REQUIRES FIXES', poor: 'CRITICAL ISSUES' },
  security: { good: 'GOOD', fair: 'NEEDS HARDENING', poor: 'AT RISK' },
  production_readiness: { good: 'READY', fair: 'REQUIRES FIXES', poor: 'NOT READY' },
};

/**
 * A word for a score, as seed 003 gives one. A critical finding that feeds the score rules out
 * "good" whatever the number: one unbuildable service is enough to block a deployment.
 */
export function verdict(
  name: ScoreName,
  score: number,
  findings: readonly Finding[],
  rules: readonly RuleInfo[],
): { verdict: Verdict; word: string } {
  const categories = SCORE_CATEGORIES[name];
  const categoryOf = new Map(rules.map((r) => [r.id, r.category]));
  const critical = findings.some((f) => {
    if (f.severity !== 'critical') return false;
    const category = categoryOf.get(f.rule);
    return categories === null || (category !== undefined && categories.includes(category));
  });
  const v: Verdict = score < 5 ? 'poor' : score >= 8 && !critical ? 'good' : 'fair';
  return { verdict: v, word: VERDICT_WORDS[name][v] };
}

/** `7.0`: scores always show their one decimal. */
export function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(1) : '—';
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Plain code-point order, so output does not depend on the machine's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
