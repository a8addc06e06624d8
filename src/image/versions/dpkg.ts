/**
 * Debian package versions, `[epoch:]upstream[-revision]`, ordered as dpkg orders them
 * (deb-version(7)): `~` sorts before everything, even the end of the string, so `1.0~rc1` is older
 * than `1.0`; letters sort before other characters; digit runs compare as numbers.
 */
export function compareDpkg(a: string, b: string): number {
  const x = parseDpkg(a);
  const y = parseDpkg(b);
  return sign(x.epoch - y.epoch) || compareFragment(x.upstream, y.upstream) || compareFragment(x.revision, y.revision);
}

interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

function parseDpkg(text: string): DpkgVersion {
  const version = text.trim();
  const colon = version.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(version.slice(0, colon)) ? Number(version.slice(0, colon)) : 0;
  const rest = colon > 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** dpkg's verrevcmp: alternate non-digit and digit runs. */
function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let first = 0;
    while ((i < a.length && !isDigit(a, i)) || (j < b.length && !isDigit(b, j))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && isDigit(a, i) && j < b.length && isDigit(b, j)) {
      if (first === 0) first = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a, i)) return 1;
    if (j < b.length && isDigit(b, j)) return -1;
    if (first !== 0) return sign(first);
  }
  return 0;
}

function order(s: string, i: number): number {
  if (i >= s.length || isDigit(s, i)) return 0;
  const c = s[i]!;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
