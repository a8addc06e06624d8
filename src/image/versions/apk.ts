import { sign } from './dpkg.js';

/**
 * Alpine package versions, `1.2.3a_rc1_p2-r4`, ordered as apk-tools orders them: dotted numbers
 * (after the first, a part with a leading zero compares as a decimal fraction), then an optional
 * letter, then suffixes (`_alpha` < `_beta` < `_pre` < `_rc` < none < `_cvs` < `_svn` < `_git`
 * < `_hg` < `_p`), then the package revision `-rN`.
 */
export function compareApk(a: string, b: string): number {
  const x = parseApk(a);
  const y = parseApk(b);
  return compareNumbers(x.numbers, y.numbers) || compareLetter(x.letter, y.letter) || compareSuffixes(x.suffixes, y.suffixes) || sign(x.revision - y.revision);
}

const SUFFIX_ORDER = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];

interface ApkVersion {
  numbers: string[];
  letter: string;
  suffixes: { rank: number; number: number }[];
  revision: number;
}

function parseApk(text: string): ApkVersion {
  let rest = text.trim();
  let revision = 0;
  const rev = /-r(\d+)$/.exec(rest);
  if (rev) {
    revision = Number(rev[1]);
    rest = rest.slice(0, rev.index);
  }
  const head = /^(\d+(?:\.\d+)*)([a-z]?)/.exec(rest);
  const numbers = head?.[1]?.split('.') ?? [];
  const letter = head?.[2] ?? '';
  const suffixes: ApkVersion['suffixes'] = [];
  for (const m of rest.slice(head?.[0].length ?? 0).matchAll(/_([a-z]+)(\d*)/g)) {
    const rank = SUFFIX_ORDER.indexOf(m[1] ?? '');
    // An unknown suffix is ordered with the release (apk calls such a version invalid).
    suffixes.push({ rank: rank < 0 ? SUFFIX_ORDER.indexOf('') : rank, number: Number(m[2] || 0) });
  }
  return { numbers, letter, suffixes, revision };
}

function compareNumbers(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const fraction = i > 0 && (x.startsWith('0') || y.startsWith('0'));
    const order = fraction ? compareFraction(x, y) : compareInteger(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

function compareInteger(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return sign(x.length - y.length);
  return x === y ? 0 : x < y ? -1 : 1;
}

function compareFraction(a: string, b: string): number {
  const x = a.replace(/0+$/, '');
  const y = b.replace(/0+$/, '');
  return x === y ? 0 : x < y ? -1 : 1;
}

function compareLetter(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareSuffixes(a: ApkVersion['suffixes'], b: ApkVersion['suffixes']): number {
  const none = { rank: SUFFIX_ORDER.indexOf(''), number: 0 };
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? none;
    const y = b[i] ?? none;
    const order = sign(x.rank - y.rank) || sign(x.number - y.number);
    if (order !== 0) return order;
  }
  return 0;
}
