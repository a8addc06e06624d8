import type { Severity } from '../../analyze/index.js';
import { cvss3BaseScore, cvssRating } from './cvss.js';

/**
 * One advisory of the OSV format (ossf.github.io/osv-schema), read defensively: the file comes
 * from whoever built the advisory archive. What Shipshape does not use is dropped here.
 */
export interface Advisory {
  id: string;
  aliases: string[];
  summary: string;
  /** From a CVSS v3 vector when there is one, else the database's own rating. */
  severity: Severity;
  /** The CVSS v3 base score the severity came from, when it came from one. */
  score?: number;
  /** Whether no rating was given at all (the severity is then `medium`, docs/scan.md). */
  unrated: boolean;
  affected: AffectedPackage[];
  /** The first reference, for a reader to follow. */
  url?: string;
}

export interface AffectedPackage {
  /** As written: `Debian:12`, `Alpine:v3.19`, `npm`, `PyPI`, … */
  ecosystem: string;
  name: string;
  ranges: VersionRange[];
  /** Versions listed one by one. */
  versions: string[];
}

export interface VersionRange {
  type: 'ECOSYSTEM' | 'SEMVER';
  events: RangeEvent[];
}

export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

/** Bounds on one advisory, so that a hostile archive costs memory in proportion to its use. */
const MAX_AFFECTED = 1_000;
const MAX_EVENTS = 1_000;
const MAX_VERSIONS = 20_000;
const MAX_TEXT = 1_000;

export class AdvisoryError extends Error {}

export function parseAdvisory(value: unknown): Advisory {
  const doc = record(value, 'the advisory');
  const id = text(doc['id'], 'id');
  if (id === '') throw new AdvisoryError('`id` is empty');
  const affected = list(doc['affected'], 'affected', MAX_AFFECTED).map((entry, i) => parseAffected(entry, `affected[${i}]`));
  const rating = severityOf(doc, affected.length > 0 ? list(doc['affected'], 'affected', MAX_AFFECTED) : []);
  const references = doc['references'] === undefined ? [] : list(doc['references'], 'references', 10_000);
  const url = references.map((r) => (isRecord(r) && typeof r['url'] === 'string' ? r['url'] : undefined)).find((u) => u !== undefined && /^https?:\/\//.test(u));
  return {
    id: clip(id),
    aliases: doc['aliases'] === undefined ? [] : list(doc['aliases'], 'aliases', 100).filter((a): a is string => typeof a === 'string').map(clip),
    summary: typeof doc['summary'] === 'string' ? clip(doc['summary']) : typeof doc['details'] === 'string' ? clip(doc['details'].split('\n')[0] ?? '') : '',
    ...rating,
    affected,
    ...(url === undefined ? {} : { url: clip(url) }),
  };
}

function parseAffected(value: unknown, where: string): AffectedPackage {
  const entry = record(value, where);
  const pkg = record(entry['package'], `${where}.package`);
  const ranges: VersionRange[] = [];
  for (const [i, raw] of (entry['ranges'] === undefined ? [] : list(entry['ranges'], `${where}.ranges`, 100)).entries()) {
    const range = record(raw, `${where}.ranges[${i}]`);
    const type = range['type'];
    // GIT ranges name commits, which an installed package does not carry.
    if (type !== 'ECOSYSTEM' && type !== 'SEMVER') continue;
    const events = list(range['events'], `${where}.ranges[${i}].events`, MAX_EVENTS).map((e, k) => parseEvent(e, `${where}.ranges[${i}].events[${k}]`));
    ranges.push({ type, events });
  }
  const versions = entry['versions'] === undefined ? [] : list(entry['versions'], `${where}.versions`, MAX_VERSIONS).filter((v): v is string => typeof v === 'string');
  return { ecosystem: text(pkg['ecosystem'], `${where}.package.ecosystem`), name: text(pkg['name'], `${where}.package.name`), ranges, versions };
}

function parseEvent(value: unknown, where: string): RangeEvent {
  const event = record(value, where);
  for (const key of ['introduced', 'fixed', 'last_affected', 'limit'] as const) {
    if (typeof event[key] === 'string') return { [key]: clip(event[key]) } as RangeEvent;
  }
  throw new AdvisoryError(`${where} has none of introduced, fixed, last_affected or limit`);
}

const DATABASE_RATINGS: Record<string, Severity> = {
  critical: 'critical',
  high: 'high',
  important: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
  unimportant: 'low',
};

function severityOf(doc: Record<string, unknown>, affected: unknown[]): Pick<Advisory, 'severity' | 'score' | 'unrated'> {
  const vectors = [doc['severity'], ...affected.map((a) => (isRecord(a) ? a['severity'] : undefined))]
    .flatMap((s) => (Array.isArray(s) ? s : []))
    .map((s) => (isRecord(s) && typeof s['score'] === 'string' ? cvss3BaseScore(s['score']) : undefined))
    .filter((s): s is number => s !== undefined);
  if (vectors.length > 0) {
    const score = Math.max(...vectors);
    const rating = cvssRating(score);
    return { severity: rating === 'none' ? 'info' : rating, score, unrated: false };
  }
  const databases = [doc['database_specific'], ...affected.flatMap((a) => (isRecord(a) ? [a['database_specific'], a['ecosystem_specific']] : []))];
  for (const db of databases) {
    const named = isRecord(db) ? (db['severity'] ?? db['urgency']) : undefined;
    const severity = typeof named === 'string' ? DATABASE_RATINGS[named.trim().toLowerCase()] : undefined;
    if (severity) return { severity, unrated: false };
  }
  return { severity: 'medium', unrated: true };
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new AdvisoryError(`${where} must be an object`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown, where: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new AdvisoryError(`\`${where}\` must be a list`);
  if (value.length > max) throw new AdvisoryError(`\`${where}\` holds ${value.length} entries; at most ${max} are read`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new AdvisoryError(`\`${where}\` must be a string`);
  return clip(value);
}

function clip(value: string): string {
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
}
