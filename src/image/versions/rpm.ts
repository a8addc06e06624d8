import { sign } from './dpkg.js';

/**
 * RPM versions, `[epoch:]version[-release]`, ordered as rpm's rpmvercmp: alphanumeric segments
 * compared one by one (numbers as numbers, and a number is newer than letters), `~` older than
 * anything and `^` newer than the end but older than any other segment.
 */
export function compareRpm(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  const epochs = sign(x.epoch - y.epoch);
  if (epochs !== 0) return epochs;
  const versions = rpmvercmp(x.version, y.version);
  if (versions !== 0) return versions;
  // A range written without a release (`fixed: 1.2`) covers every release of that version.
  if (x.release === undefined || y.release === undefined) return 0;
  return rpmvercmp(x.release, y.release);
}

function parseEvr(text: string): { epoch: number; version: string; release: string | undefined } {
  const evr = text.trim();
  const colon = evr.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(evr.slice(0, colon)) ? Number(evr.slice(0, colon)) : 0;
  const rest = colon > 0 ? evr.slice(colon + 1) : evr;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest, release: undefined };
}

const SEPARATOR = /[^A-Za-z0-9~^]/;

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && SEPARATOR.test(a[i]!)) i++;
    while (j < b.length && SEPARATOR.test(b[j]!)) j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = /\d/.test(a[i]!);
    const pattern = numeric ? /^\d+/ : /^[A-Za-z]+/;
    const segA = pattern.exec(a.slice(i))?.[0] ?? '';
    const segB = pattern.exec(b.slice(j))?.[0] ?? '';
    i += segA.length;
    j += segB.length;
    // Segments of different kinds: a number is newer than letters.
    if (segB === '') return numeric ? 1 : -1;
    if (numeric) {
      const na = segA.replace(/^0+/, '');
      const nb = segB.replace(/^0+/, '');
      if (na.length !== nb.length) return sign(na.length - nb.length);
      if (na !== nb) return na < nb ? -1 : 1;
    } else if (segA !== segB) {
      return segA < segB ? -1 : 1;
    }
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}
