import { versionOrder, type VersionOrder } from '../versions/index.js';
import type { AffectedPackage, Advisory, RangeEvent } from './advisory.js';

/** A package as an SBOM lists it, in OSV's terms. */
export interface InstalledPackage {
  /** `Debian:12`, `Alpine:v3.19`, `npm`, `PyPI`, `Go`, `Maven`, … */
  ecosystem: string;
  name: string;
  version: string;
  /** The source package a distribution's advisories name (dpkg `Source:`, rpm source rpm). */
  source?: { name: string; version: string };
}

export interface AdvisoryMatch {
  advisory: Advisory;
  /** The lowest version that fixes it above the installed one; none when no fix is known. */
  fixed?: string;
}

/** Advisories by ecosystem family and package name, so that a package finds its own in one lookup. */
export class AdvisoryIndex {
  private readonly byKey = new Map<string, { advisory: Advisory; affected: AffectedPackage }[]>();
  size = 0;

  add(advisory: Advisory): void {
    this.size++;
    for (const affected of advisory.affected) {
      const key = keyOf(affected.ecosystem, affected.name);
      const entries = this.byKey.get(key) ?? [];
      entries.push({ advisory, affected });
      this.byKey.set(key, entries);
    }
  }

  /** Every advisory that affects the installed version, once each (an advisory may list a package twice). */
  match(pkg: InstalledPackage): AdvisoryMatch[] {
    const found = new Map<string, AdvisoryMatch>();
    const candidates = [{ name: pkg.name, version: pkg.version }, ...(pkg.source && pkg.source.name !== pkg.name ? [pkg.source] : [])];
    for (const { name, version } of candidates) {
      for (const { advisory, affected } of this.byKey.get(keyOf(pkg.ecosystem, name)) ?? []) {
        if (!sameRelease(affected.ecosystem, pkg.ecosystem)) continue;
        const verdict = affects(affected, version, versionOrder(pkg.ecosystem));
        if (!verdict.affected) continue;
        const known = found.get(advisory.id);
        if (!known || (verdict.fixed !== undefined && known.fixed === undefined)) found.set(advisory.id, { advisory, ...(verdict.fixed === undefined ? {} : { fixed: verdict.fixed }) });
      }
    }
    return [...found.values()];
  }
}

/**
 * Whether `version` falls in the package's affected versions, by OSV's evaluation: the events
 * of a range in version order, `introduced` opening it, `fixed` (excluded) or `last_affected`
 * (included) closing it. Without an order for the ecosystem only the listed versions count.
 */
export function affects(affected: AffectedPackage, version: string, order: VersionOrder | undefined): { affected: boolean; fixed?: string } {
  if (affected.versions.includes(version)) return { affected: true, ...fixedAbove(affected, version, order) };
  if (!order) return { affected: false };
  for (const range of affected.ranges) {
    const events = sortEvents(range.events, order);
    if (!events) continue;
    let inside = false;
    for (const event of events) {
      if ('introduced' in event) {
        if (event.introduced === '0' || gte(order(version, event.introduced))) inside = true;
      } else if ('fixed' in event) {
        if (gte(order(version, event.fixed))) inside = false;
      } else if ('last_affected' in event) {
        if (gt(order(version, event.last_affected))) inside = false;
      } else if (gte(order(version, event.limit))) {
        inside = false;
        break;
      }
    }
    if (inside) return { affected: true, ...fixedAbove(affected, version, order) };
  }
  return { affected: false };
}

function fixedAbove(affected: AffectedPackage, version: string, order: VersionOrder | undefined): { fixed?: string } {
  if (!order) return {};
  const fixes = affected.ranges
    .flatMap((r) => r.events)
    .flatMap((e) => ('fixed' in e ? [e.fixed] : []))
    .filter((f) => gt(order(f, version)));
  const lowest = fixes.reduce<string | undefined>((low, f) => (low === undefined || (order(f, low) ?? 0) < 0 ? f : low), undefined);
  return lowest === undefined ? {} : { fixed: lowest };
}

/** Events in version order (`introduced: 0` first); undefined when a version cannot be read. */
function sortEvents(events: RangeEvent[], order: VersionOrder): RangeEvent[] | undefined {
  const valueOf = (e: RangeEvent) => Object.values(e)[0] as string;
  for (const e of events) {
    if (valueOf(e) !== '0' && order(valueOf(e), valueOf(e)) === undefined) return undefined;
  }
  return [...events].sort((a, b) => {
    const x = valueOf(a);
    const y = valueOf(b);
    if (x === '0' && 'introduced' in a) return -1;
    if (y === '0' && 'introduced' in b) return 1;
    return order(x, y) ?? 0;
  });
}

const gte = (n: number | undefined) => n !== undefined && n >= 0;
const gt = (n: number | undefined) => n !== undefined && n > 0;

/** `Debian:12` and `debian:12` are one release; an advisory for the whole `Debian` covers each. */
function sameRelease(advisory: string, installed: string): boolean {
  const [family, release] = split(advisory);
  const [pkgFamily, pkgRelease] = split(installed);
  return family === pkgFamily && (release === undefined || release === pkgRelease);
}

function split(ecosystem: string): [string, string | undefined] {
  const colon = ecosystem.indexOf(':');
  return colon < 0 ? [ecosystem.trim().toLowerCase(), undefined] : [ecosystem.slice(0, colon).trim().toLowerCase(), ecosystem.slice(colon + 1).trim()];
}

function keyOf(ecosystem: string, name: string): string {
  const family = split(ecosystem)[0];
  // PEP 503: PyPI names are equal whatever their case and runs of `-`, `_` and `.`.
  const normalized = family === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
  return `${family}\0${normalized}`;
}
