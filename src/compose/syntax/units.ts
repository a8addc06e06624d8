import type { Parsed } from './index.js';

const MAX_INT64 = (1n << 63n) - 1n;

// ---------------------------------------------------------------------------------------------
// Durations (healthcheck intervals, stop_grace_period, deploy delays)
// ---------------------------------------------------------------------------------------------

/** Compose-go reads durations with go-str2duration: Go's units plus days and weeks. */
const DURATION_UNITS = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
  ['d', 86_400_000_000_000n],
  ['w', 604_800_000_000_000n],
]);

const DURATION_FORM = 'expected a duration such as 30s, 1m30s or 500ms (units ns, us, ms, s, m, h, d, w)';

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/** Go's duration grammar `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, in nanoseconds; a string is an error. */
function parseNanoseconds(text: string): bigint | string {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return 'it is not a duration';

  let total = 0n;
  while (rest !== '') {
    if (!(rest[0] === '.' || isDigit(rest[0]))) return 'it is not a duration';
    let i = 0;
    while (isDigit(rest[i])) i++;
    const whole = i > 0 ? BigInt(rest.slice(0, i)) : 0n;
    if (whole > MAX_INT64) return 'it is too long';
    const hasWhole = i > 0;
    rest = rest.slice(i);

    // The fraction is kept as digits over a power of ten, as Go does, to stay nanosecond exact.
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      let overflow = false;
      let j = 0;
      for (; isDigit(rest[j]); j++) {
        if (overflow) continue;
        const next = fraction * 10n + BigInt(rest.charCodeAt(j) - 48);
        if (next > MAX_INT64) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hasFraction = j > 0;
      rest = rest.slice(j);
    }
    if (!hasWhole && !hasFraction) return 'it is not a duration';

    let u = 0;
    while (u < rest.length && rest[u] !== '.' && !isDigit(rest[u])) u++;
    if (u === 0) return 'a unit is missing';
    const unitName = rest.slice(0, u);
    rest = rest.slice(u);
    const unit = DURATION_UNITS.get(unitName);
    if (unit === undefined) return `${JSON.stringify(unitName)} is not a unit`;

    if (whole > MAX_INT64 / unit) return 'it is too long';
    let value = whole * unit;
    if (fraction > 0n) value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
    total += value;
    if (total > MAX_INT64) return 'it is too long';
  }
  return negative ? -total : total;
}

/**
 * Parses a compose duration into **milliseconds** (fractions keep micro- and nanoseconds).
 * Accepts what compose accepts: Go duration syntax (`1m30s`, `1h`, `500ms`, `10us`, `1.5s`,
 * `-2s`) plus `d` (24h) and `w` (7d). A bare number is not a duration for compose (`30` has no
 * unit and is refused) except 0.
 */
export function parseDuration(v: string | number): Parsed<number> {
  if (typeof v !== 'string' && typeof v !== 'number') {
    return { ok: false, error: `invalid duration: expected a string such as "30s", not ${v === null ? 'null' : typeof v}` };
  }
  const text = String(v);
  const nanoseconds = parseNanoseconds(text);
  if (typeof nanoseconds === 'string') {
    return { ok: false, error: `invalid duration ${JSON.stringify(v)}: ${nanoseconds}; ${DURATION_FORM}` };
  }
  return { ok: true, value: Number(nanoseconds) / 1e6 };
}

/** Go's `fmtFrac`: the last `precision` digits of `value` as a fraction without trailing zeros. */
function fraction(value: bigint, precision: number): [text: string, rest: bigint] {
  let digits = '';
  let print = false;
  let rest = value;
  for (let i = 0; i < precision; i++) {
    const digit = rest % 10n;
    print = print || digit !== 0n;
    if (print) digits = String(digit) + digits;
    rest /= 10n;
  }
  return [print ? '.' + digits : '', rest];
}

/**
 * Prints milliseconds the way Go prints a `time.Duration`, which is how `docker compose config`
 * prints durations: `1m30s`, `500ms`, `1h0m0s`, `1.5s`, `10µs`, `0s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const exact = Math.round(ms * 1e6);
  let u = Number.isSafeInteger(exact) ? BigInt(exact) : BigInt(Math.round(ms)) * 1_000_000n;
  const negative = u < 0n;
  if (negative) u = -u;

  let text: string;
  if (u === 0n) {
    return '0s';
  } else if (u < 1_000_000_000n) {
    // Below a second Go picks one unit and prints a decimal fraction of it.
    const [unit, precision] = u < 1_000n ? ['ns', 0] : u < 1_000_000n ? ['\u00b5s', 3] : ['ms', 6];
    const [frac, whole] = fraction(u, precision);
    text = `${whole}${frac}${unit}`;
  } else {
    const [frac, seconds] = fraction(u, 9);
    const minutes = seconds / 60n;
    text = `${seconds % 60n}${frac}s`;
    if (minutes > 0n) {
      text = `${minutes % 60n}m${text}`;
      const hours = minutes / 60n;
      if (hours > 0n) text = `${hours}h${text}`;
    }
  }
  return negative ? '-' + text : text;
}

// ---------------------------------------------------------------------------------------------
// Byte sizes (mem_limit, memswap_limit, shm_size, tmpfs size)
// ---------------------------------------------------------------------------------------------

const BINARY_UNITS = new Map<string, number>([
  ['k', 1024],
  ['m', 1024 ** 2],
  ['g', 1024 ** 3],
  ['t', 1024 ** 4],
  ['p', 1024 ** 5],
]);

const BYTES_FORM =
  'expected a number of bytes with an optional unit b, k, m, g, t or p, in multiples of 1024 (for example 512m or 1.5g)';

/** Go's `strconv.ParseFloat` for decimal text; NaN for what it refuses or for inf/nan. */
function parseGoFloat(text: string): number {
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text)) return Number.NaN;
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
}

/** docker/go-units `RAMInBytes`: a number and an optional case-insensitive unit `b`, `k`, `kb`, `kib`, …. */
function ramInBytes(text: string): number | string {
  let num: string;
  let suffix: string;
  const space = text.indexOf(' ');
  if (space >= 0) {
    num = text.slice(0, space);
    suffix = text.slice(space + 1);
  } else {
    let sep = text.length - 1;
    while (sep >= 0 && !isDigit(text[sep]) && text[sep] !== '.') sep--;
    if (sep < 0) return 'it has no number';
    num = text.slice(0, sep + 1);
    suffix = text.slice(sep + 1);
  }

  let size = parseGoFloat(num);
  if (Number.isNaN(size)) return `${JSON.stringify(num)} is not a number`;
  if (size < 0) return 'a size cannot be negative';
  if (suffix !== '') {
    const unit = suffix.toLowerCase();
    const badSuffix = `${JSON.stringify(suffix)} is not a unit`;
    if (unit.length > 3) return badSuffix;
    if (unit === 'b') return truncateToInt64(size);
    const multiplier = BINARY_UNITS.get(unit[0] ?? '');
    if (multiplier === undefined) return badSuffix;
    if (unit.length === 2 && unit[1] !== 'b') return badSuffix;
    if (unit.length === 3 && unit.slice(1) !== 'ib') return badSuffix;
    size *= multiplier;
  }
  return truncateToInt64(size);
}

function truncateToInt64(size: number): number | string {
  const bytes = Math.trunc(size);
  // 2^63 as a double: anything at or above it does not fit Go's int64.
  if (bytes >= 2 ** 63) return 'it is too large';
  return bytes === 0 ? 0 : bytes;
}

/**
 * Parses a byte size as compose does (`UnitBytes`): an integer is a number of bytes (negative
 * values such as -1 for `memswap_limit` are kept), otherwise docker/go-units `RAMInBytes` with
 * binary multiples: `512m`, `1g`, `1gb`, `1GiB`, `100k`, `1.5G`, `2048`, `32 MB`.
 */
export function parseBytes(v: string | number): Parsed<number> {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) {
      return { ok: false, error: `invalid size ${v}: a number of bytes must be a whole number; ${BYTES_FORM}` };
    }
    return { ok: true, value: v };
  }
  if (typeof v !== 'string') {
    return { ok: false, error: `invalid size: ${BYTES_FORM}, not ${v === null ? 'null' : typeof v}` };
  }
  if (/^[+-]?[0-9]+$/.test(v)) {
    const bytes = BigInt(v);
    if (bytes > MAX_INT64 || bytes < -MAX_INT64 - 1n) {
      return { ok: false, error: `invalid size ${JSON.stringify(v)}: it is too large; ${BYTES_FORM}` };
    }
    return { ok: true, value: Number(bytes) };
  }
  const bytes = ramInBytes(v);
  if (typeof bytes === 'string') return { ok: false, error: `invalid size ${JSON.stringify(v)}: ${bytes}; ${BYTES_FORM}` };
  return { ok: true, value: bytes };
}
