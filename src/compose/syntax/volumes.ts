import type { Parsed } from './index.js';

/** A service volume mount, in the long form `docker compose config` prints. */
export interface VolumeMount {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { selinux?: 'z' | 'Z'; propagation?: string; create_host_path?: boolean };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number | string; mode?: number };
}

/** A `devices:` entry in its long form. */
export interface DeviceMapping {
  source: string;
  target: string;
  permissions: string;
}

const SHORT_FORM = '[SOURCE:]TARGET[:MODE]';
const PROPAGATIONS = new Set(['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']);
const CONSISTENCIES = new Set(['cached', 'delegated', 'consistent']);

function isLetter(char: string | undefined): boolean {
  return char !== undefined && /^\p{L}$/u.test(char);
}

/** Go measures `len(spec)` in UTF-8 bytes; compose-go's "one or two characters" rule uses it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** A bind source starts with `.`, `/`, `~`, `\\` (a Windows named pipe) or a drive (`C:`). */
function isFilePath(source: string): boolean {
  if (source === '') return false;
  if (source.startsWith('.') || source.startsWith('/') || source.startsWith('~')) return true;
  if (source.startsWith('\\\\')) return true;
  const chars = Array.from(source);
  return chars.length > 1 && isLetter(chars[0]) && chars[1] === ':';
}

/** Go's `path.Clean`, which compose applies to the target of a short-syntax mount. */
function cleanPath(path: string): string {
  const rooted = path.startsWith('/');
  const stack: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length > 0 && stack[stack.length - 1] !== '..') stack.pop();
      else if (!rooted) stack.push('..');
      continue;
    }
    stack.push(part);
  }
  const cleaned = (rooted ? '/' : '') + stack.join('/');
  return cleaned === '' ? '.' : cleaned;
}

interface Fields {
  source: string;
  target: string;
  readOnly: boolean;
  consistency?: string;
  selinux?: 'z' | 'Z';
  propagation?: string;
  nocopy: boolean;
}

function applyOptions(text: string, fields: Fields): void {
  for (const option of text.split(',')) {
    if (option === 'ro') fields.readOnly = true;
    else if (option === 'rw') fields.readOnly = false;
    else if (option === 'nocopy') fields.nocopy = true;
    else if (option === 'z' || option === 'Z') fields.selinux = option;
    else if (PROPAGATIONS.has(option)) fields.propagation = option;
    else if (CONSISTENCIES.has(option)) fields.consistency = option;
    // Any other option is ignored, as compose does: a file compose accepts must load here too.
  }
}

/**
 * Parses a short volume spec (`/data`, `name:/data`, `./dir:/data:ro,z`, `C:\data:/data`) as
 * compose-go's `format.ParseVolume` does, then cleans the target as its canonical transform does.
 * - Colons split SOURCE, TARGET and MODE, except a colon after a single letter (a Windows drive,
 *   unless that reading leaves no source or no usable target: `v:/data` is volume `v`, as
 *   docker-compose v1 reads it) and colons inside `${…}`.
 * - A spec of one part is an anonymous volume (only a target).
 * - The source is a bind when it starts with `.`, `/`, `~`, `\\` or a drive letter, otherwise a
 *   named volume. Binds get `bind.create_host_path: true` (docker-compose v1 created missing host
 *   paths); volumes get an empty `volume: {}`, both as `docker compose config` prints them.
 * - MODE is a comma list of `ro`, `rw`, `nocopy`, `z`, `Z`, a propagation (`shared`, `rslave`, …)
 *   or a consistency (`cached`, `delegated`, `consistent`). Unknown options are ignored, as compose
 *   ignores them. Compose drops consistency; it is kept here because the engine understands it.
 * Relative sources are not resolved here: the loader does that with the project directory.
 */
export function parseVolumeShort(spec: string): Parsed<VolumeMount> {
  const withDrives = parseShort(spec, true);
  // `v:/data` reads as a drive path only on Windows: a one-letter volume name on a Linux engine
  // (docker-compose v1 reads it so). The drive reading stays when it makes a usable mount.
  if (withDrives.ok && (withDrives.value.source === undefined || !usableTarget(withDrives.value.target))) {
    const plain = parseShort(spec, false);
    if (plain.ok && plain.value.source !== undefined && plain.value.target.startsWith('/')) return plain;
  }
  return withDrives;
}

function usableTarget(target: string): boolean {
  return target.startsWith('/') || target.startsWith('\\') || /^\p{L}:[\\/]?/u.test(target);
}

function parseShort(spec: string, drives: boolean): Parsed<VolumeMount> {
  if (typeof spec !== 'string') {
    return { ok: false, error: `invalid volume ${String(spec)}: expected a string like "./data:/data"` };
  }
  const fail = (why: string): { ok: false; error: string } => ({
    ok: false,
    error: `invalid volume ${JSON.stringify(spec)}: ${why}`,
  });
  if (spec === '') return fail(`the spec is empty; expected ${SHORT_FORM}`);
  // compose-go takes a spec of one or two bytes as a bare target, whatever it holds.
  if (utf8Length(spec) <= 2) return { ok: true, value: { type: 'volume', target: cleanPath(spec) } };

  const fields: Fields = { source: '', target: '', readOnly: false, nocopy: false };
  const chars = Array.from(spec);
  let buffer: string[] = [];
  let depth = 0; // nesting of ${…}

  // Returns an error sentence, or undefined once the buffered section is stored.
  const endSection = (atEnd: boolean): string | undefined => {
    const text = buffer.join('');
    buffer = [];
    if (text === '') return `a section between colons is empty; expected ${SHORT_FORM}`;
    if (fields.source === '' && atEnd) fields.target = text;
    else if (fields.source === '') fields.source = text;
    else if (fields.target === '') fields.target = text;
    else if (!atEnd) return `it has too many colons; expected ${SHORT_FORM}`;
    else applyOptions(text, fields);
    return undefined;
  };

  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? '';
    if (char === '$' && chars[i + 1] === '{') {
      depth++;
      buffer.push(char);
    } else if (char === '}' && depth > 0) {
      depth--;
      buffer.push(char);
    } else if (drives && char === ':' && buffer.length === 1 && isLetter(buffer[0])) {
      buffer.push(char); // a Windows drive such as C:
    } else if (char === ':' && depth === 0) {
      const error = endSection(false);
      if (error !== undefined) return fail(error);
    } else {
      buffer.push(char);
    }
  }
  const error = endSection(true);
  if (error !== undefined) return fail(error);

  const bind = isFilePath(fields.source);
  const mount: VolumeMount = {
    type: bind ? 'bind' : 'volume',
    ...(fields.source !== '' ? { source: fields.source } : {}),
    target: cleanPath(fields.target),
    ...(fields.readOnly ? { read_only: true } : {}),
    ...(fields.consistency !== undefined ? { consistency: fields.consistency } : {}),
  };
  if (bind || fields.selinux !== undefined || fields.propagation !== undefined) {
    mount.bind = {
      ...(fields.selinux !== undefined ? { selinux: fields.selinux } : {}),
      ...(fields.propagation !== undefined ? { propagation: fields.propagation } : {}),
      ...(bind ? { create_host_path: true } : {}),
    };
  }
  if (!bind || fields.nocopy) mount.volume = fields.nocopy ? { nocopy: true } : {};
  return { ok: true, value: mount };
}

/**
 * Parses a `devices:` entry `SOURCE[:TARGET[:PERMISSIONS]]` as compose-go does: the target
 * defaults to the source and the permissions to `rwm`. Like compose, a two-part spec is always
 * SOURCE:TARGET (`/dev/sda:rwm` maps to a target named `rwm`).
 */
export function parseDevice(spec: string): Parsed<DeviceMapping> {
  if (typeof spec !== 'string') {
    return { ok: false, error: `invalid device ${String(spec)}: expected a string like "/dev/ttyUSB0:/dev/ttyUSB0"` };
  }
  const parts = spec.split(':');
  if (parts.length > 3) {
    return {
      ok: false,
      error: `invalid device ${JSON.stringify(spec)}: it has too many colons; expected SOURCE[:TARGET[:PERMISSIONS]] or the long syntax`,
    };
  }
  const [source = '', target = '', permissions = 'rwm'] = parts;
  if (source === '') {
    return {
      ok: false,
      error: `invalid device ${JSON.stringify(spec)}: the host device path is empty; expected SOURCE[:TARGET[:PERMISSIONS]]`,
    };
  }
  return { ok: true, value: { source, target: target === '' ? source : target, permissions } };
}
