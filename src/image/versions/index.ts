import { compare as comparePep440, valid as validPep440 } from '@renovatebot/pep440';
import semver from 'semver';
import { compareApk } from './apk.js';
import { compareDpkg } from './dpkg.js';
import { compareRpm } from './rpm.js';

export { compareApk } from './apk.js';
export { compareDpkg } from './dpkg.js';
export { compareRpm } from './rpm.js';

/** How an ecosystem orders versions; undefined when a version cannot be read. */
export type VersionOrder = (a: string, b: string) => number | undefined;

/**
 * The version order of an OSV ecosystem (`Debian:12`, `Alpine:v3.19`, `npm`, `PyPI`, …): the
 * part before `:` names it. Undefined for an ecosystem Shipshape cannot order: its advisories are
 * matched by exact versions only (docs/scan.md).
 */
export function versionOrder(ecosystem: string): VersionOrder | undefined {
  const family = ecosystem.split(':')[0]!.trim().toLowerCase();
  return ORDERS[family];
}

const total = (compare: (a: string, b: string) => number): VersionOrder => compare;

const compareSemver: VersionOrder = (a, b) => {
  const x = semver.parse(a.replace(/^v/, ''), { loose: true });
  const y = semver.parse(b.replace(/^v/, ''), { loose: true });
  return x && y ? semver.compare(x, y) : undefined;
};

const comparePython: VersionOrder = (a, b) => (validPep440(a) && validPep440(b) ? comparePep440(a, b) : undefined);

const ORDERS: Record<string, VersionOrder> = {
  debian: total(compareDpkg),
  ubuntu: total(compareDpkg),
  alpine: total(compareApk),
  'red hat': total(compareRpm),
  'rocky linux': total(compareRpm),
  almalinux: total(compareRpm),
  opensuse: total(compareRpm),
  suse: total(compareRpm),
  mageia: total(compareRpm),
  npm: compareSemver,
  go: compareSemver,
  'crates.io': compareSemver,
  pypi: comparePython,
};
