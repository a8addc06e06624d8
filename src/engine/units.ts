/**
 * The unit conversions between the compose model and the Engine API: Go durations (the model
 * prints them canonically, `1m30s`) to nanoseconds, and memory sizes (`512m`, `1.5g`, bytes) to
 * bytes. Each returns undefined for text it cannot read so the caller can name the key.
 */

const DURATION_UNITS_NS: Readonly<Record<string, number>> = {
  h: 3_600e9,
  m: 60e9,
  s: 1e9,
  ms: 1e6,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ns: 1,
};

export function durationToNanoseconds(text: string | number | undefined): number | undefined {
  if (text === undefined) return undefined;
  // A bare number in compose's duration fields means seconds.
  if (typeof text === 'number') return Number.isFinite(text) ? Math.round(text * 1e9) : undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1e9);
  const part = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|μs|ns)/y;
  let total = 0;
  let index = 0;
  if (trimmed === '0') return 0;
  while (index < trimmed.length) {
    part.lastIndex = index;
    const match = part.exec(trimmed);
    if (!match) return undefined;
    total += Number(match[1]) * DURATION_UNITS_NS[match[2]!]!;
    index = part.lastIndex;
  }
  return index === 0 ? undefined : Math.round(total);
}

/** Whole seconds, rounded up: a 1.5 s grace period must not become 1 s. */
export function durationToSeconds(text: string | number | undefined): number | undefined {
  const ns = durationToNanoseconds(text);
  return ns === undefined ? undefined : Math.ceil(ns / 1e9);
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  p: 1024 ** 5,
  pb: 1024 ** 5,
};

/** docker's RAMInBytes: binary multiples, case-insensitive, `b` optional. */
export function sizeToBytes(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = SIZE_UNITS[match[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(match[1]) * unit);
}

/** `0.5` or `"0.5"` CPUs → NanoCpus. */
export function cpusToNano(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value.trim());
  return Number.isFinite(n) && n >= 0 && String(value).trim() !== '' ? Math.round(n * 1e9) : undefined;
}
