import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract, type Header } from 'tar-stream';
import { PathSet } from './path-set.js';

/**
 * Reading an image as `docker save` writes it (`GET /images/{name}/get`): a tar of layer tars
 * plus JSON (docs/scan.md, "How an image is read"). Everything is a stream: a layer is read as it
 * arrives and each of its files is handed to `onFile` once, so memory stays what the caller
 * keeps, whatever the image's size. The layer order comes from manifest.json, which may come
 * last; callers key what they keep by layer and order it afterwards.
 */

/**
 * A regular file of a layer. `content` is read to its end or not at all (never abandoned half
 * way: that would end the layer); what is left unread is skipped.
 */
export interface LayerFile {
  layer: string;
  /** Relative, `/`-separated, without a leading `./` or `/`. */
  path: string;
  size: number;
  mode: number;
  content: Readable;
}

export interface LayerChanges {
  /** Paths this layer deletes from the layers below (`.wh.<name>`). */
  deleted: PathSet;
  /** Folders whose lower content this layer hides (`.wh..wh..opq`); `''` is the root. */
  opaque: PathSet;
  /** Every path this layer has (files, folders, links): each replaces what lower layers had there. */
  present: PathSet;
  /** The folders among `present`: anything else replaces a lower folder with all it held. */
  folders: PathSet;
}

/** Whether a layer above makes `path` of a lower layer disappear (docs/scan.md). */
export function hides(changes: LayerChanges, path: string): boolean {
  if (changes.present.has(path) || changes.deleted.hasSelfOrAncestor(path) || changes.opaque.has('')) return true;
  for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
    const folder = path.slice(0, end);
    if (changes.opaque.has(folder) || (changes.present.has(folder) && !changes.folders.has(folder))) return true;
  }
  return false;
}

export interface ImageArchive {
  /** Layer keys bottom to top, as manifest.json lists them. */
  layers: string[];
  changes: Map<string, LayerChanges>;
  /** The image's config (its `config` holds Env, User, Labels…), when the archive carries it. */
  config: Record<string, unknown> | undefined;
  repoTags: string[];
}

export class ImageArchiveError extends Error {}

/** JSON members (manifest, config) are small; anything larger is not what it claims to be. */
const MAX_JSON_BYTES = 8 * 2 ** 20;
/**
 * All JSON members together: they are kept until manifest.json (often last) says which is the
 * config, so a flood of JSON blobs would otherwise all stay in memory.
 */
const MAX_JSON_TOTAL_BYTES = 32 * 2 ** 20;
const TAR_MAGIC_OFFSET = 257;
/**
 * Entries (files, folders, links, whiteouts) per image: large real images hold about a million.
 * Each costs bytes of memory (docs/security.md, "Images and advisories"), and gzip makes
 * millions of empty entries cheap to send.
 */
export const MAX_ENTRIES = 4_000_000;
/**
 * A compressed layer may inflate to this many times its size, and at least to MIN_INFLATED_BYTES:
 * layer tars compress a few times; a gzip bomb inflates a thousandfold.
 */
export const MAX_INFLATE_RATIO = 100;
export const MIN_INFLATED_BYTES = 2 ** 30;

export async function readImageArchive(source: Readable, onFile: (file: LayerFile) => Promise<void>): Promise<ImageArchive> {
  const outer = tarExtract();
  const json = new Map<string, unknown>();
  const changes = new Map<string, LayerChanges>();
  const budget = { entries: MAX_ENTRIES, json: MAX_JSON_TOTAL_BYTES };
  const feeding = pipeline(source, outer);
  const consuming = (async () => {
    for await (const entry of outer) {
      const name = clean(entry.header.name);
      if (!isFile(entry.header)) {
        entry.resume();
        continue;
      }
      const { head, stream } = await peek(entry as unknown as Readable, TAR_MAGIC_OFFSET + 5);
      if (isTar(head) || isGzip(head)) {
        const limit = Math.max(MIN_INFLATED_BYTES, MAX_INFLATE_RATIO * (entry.header.size ?? 0));
        const layer = isGzip(head) ? pipelineOf(stream, createGunzip(), inflationLimit(name, limit)) : stream;
        changes.set(name, await readLayer(name, layer, onFile, budget));
      } else if (name.endsWith('.json') || name.startsWith('blobs/')) {
        json.set(name, await readJson(stream, name, budget));
      } else {
        stream.resume();
      }
    }
  })();
  try {
    await Promise.all([feeding, consuming]);
  } catch (err) {
    outer.destroy();
    await Promise.allSettled([feeding, consuming]);
    throw err instanceof ImageArchiveError ? err : new ImageArchiveError(`the image archive is unreadable: ${(err as Error).message}`);
  }
  return describe(json, changes);
}

async function readLayer(layer: string, stream: Readable, onFile: (file: LayerFile) => Promise<void>, budget: { entries: number }): Promise<LayerChanges> {
  const inner = tarExtract();
  const found: LayerChanges = { deleted: new PathSet(), opaque: new PathSet(), present: new PathSet(), folders: new PathSet() };
  const feeding = pipeline(stream, inner);
  const consuming = (async () => {
    for await (const entry of inner) {
      if (--budget.entries < 0) throw new ImageArchiveError(`the image holds more than ${MAX_ENTRIES} files; such an image is not read (docs/security.md)`);
      const path = clean(entry.header.name);
      const base = path.slice(path.lastIndexOf('/') + 1);
      const dir = path.slice(0, Math.max(0, path.lastIndexOf('/')));
      if (base === '.wh..wh..opq') {
        found.opaque.add(dir);
        entry.resume();
      } else if (base.startsWith('.wh.')) {
        // `.wh.`, `.wh..` and `.wh...` name no file of the folder: the engine refuses them too.
        const name = base.slice(4);
        if (name !== '' && name !== '.' && name !== '..') found.deleted.add(dir ? `${dir}/${name}` : name);
        entry.resume();
      } else if (path === '') {
        entry.resume();
      } else if (isFile(entry.header)) {
        found.present.add(path);
        await onFile({ layer, path, size: entry.header.size ?? 0, mode: entry.header.mode ?? 0, content: entry as unknown as Readable });
        // A visitor that kept nothing leaves the bytes unread.
        entry.resume();
      } else {
        found.present.add(path);
        if (entry.header.type === 'directory') found.folders.add(path);
        entry.resume();
      }
    }
  })();
  try {
    await Promise.all([feeding, consuming]);
  } catch (err) {
    inner.destroy();
    await Promise.allSettled([feeding, consuming]);
    if (err instanceof ImageArchiveError) throw err;
    throw new ImageArchiveError(`layer ${layer} is unreadable: ${(err as Error).message}`);
  }
  return found;
}

function describe(json: Map<string, unknown>, changes: Map<string, LayerChanges>): ImageArchive {
  const manifest = json.get('manifest.json');
  const first = Array.isArray(manifest) ? (manifest[0] as Record<string, unknown> | undefined) : undefined;
  if (!first || !Array.isArray(first['Layers'])) throw new ImageArchiveError('the image archive has no manifest.json listing its layers');
  const layers = (first['Layers'] as unknown[]).filter((l): l is string => typeof l === 'string').map(clean);
  const missing = layers.find((l) => !changes.has(l));
  if (missing !== undefined) throw new ImageArchiveError(`the image archive lacks layer ${missing} that its manifest lists`);
  const configName = typeof first['Config'] === 'string' ? clean(first['Config']) : undefined;
  const config = configName === undefined ? undefined : json.get(configName);
  const repoTags = Array.isArray(first['RepoTags']) ? (first['RepoTags'] as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  return { layers, changes, config: isRecord(config) ? config : undefined, repoTags };
}

function pipelineOf(source: Readable, ...steps: Transform[]): Readable {
  let stream = source;
  for (const step of steps) {
    stream.once('error', (err) => step.destroy(err));
    stream = stream.pipe(step);
  }
  return stream;
}

/** Fails the layer once it has inflated past `limit` bytes (a compression bomb). */
function inflationLimit(layer: string, limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(new ImageArchiveError(`layer ${layer} inflates to more than ${limit} bytes (over ${MAX_INFLATE_RATIO} times its compressed size): a compression bomb is not read`));
      else done(null, chunk);
    },
  });
}

/** The first `bytes` of a stream, and a stream that still yields all of it. */
async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  const rest = new PassThrough();
  rest.write(head);
  void (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        if (!rest.write(next.value)) await new Promise((resolve) => rest.once('drain', resolve));
      }
      rest.end();
    } catch (err) {
      rest.destroy(err as Error);
    }
  })();
  return { head, stream: rest };
}

async function readJson(stream: Readable, name: string, budget: { json: number }): Promise<unknown> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_JSON_BYTES) throw new ImageArchiveError(`${name} is larger than ${MAX_JSON_BYTES} bytes`);
    if ((budget.json -= chunk.length) < 0) throw new ImageArchiveError(`the image archive holds more than ${MAX_JSON_TOTAL_BYTES} bytes of JSON; such an archive is not read`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function isTar(head: Buffer): boolean {
  return head.length >= TAR_MAGIC_OFFSET + 5 && head.subarray(TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5).toString('latin1') === 'ustar';
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function isFile(header: Header): boolean {
  return header.type === 'file' || header.type === 'contiguous-file';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `./usr/lib/x` and `/usr/lib/x` are `usr/lib/x`; `..` never climbs out of the image's root. */
export function clean(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}
