import { Readable } from 'node:stream';
import { PackageURL } from 'packageurl-js';
import { fileSecrets, maskSecret } from '../analyze/index.js';
import { hides, readImageArchive, type ImageArchive, type LayerFile } from './archive.js';
import { APK_DATABASE, readApkInstalled } from './catalog/apk.js';
import { isDpkgDatabase, readDpkgStatus } from './catalog/dpkg.js';
import { isElf, readGoBinary } from './catalog/go.js';
import { isJavaArchive, MAX_INFLATED_PER_IMAGE, MAX_JAR_BYTES, readJavaArchive } from './catalog/java.js';
import type { FoundPackage, OperatingSystem, Package } from './catalog/model.js';
import { isInstalledNpmManifest, isNpmLockfile, readNpmLockfile, readNpmManifest } from './catalog/npm.js';
import { OS_FILES, operatingSystem, osEcosystem } from './catalog/os.js';
import { isPythonMetadata, readPythonMetadata } from './catalog/python.js';
import { isLegacyRpmDatabase, isRpmDatabase, readRpmSqlite } from './catalog/rpm.js';

/** What an image holds, as one pass over its layers found it (docs/scan.md). */
export interface ImageInventory {
  os: OperatingSystem | undefined;
  packages: Package[];
  /** Secrets in the image's files, also in files a later layer deleted or replaced. */
  secrets: LayerSecret[];
  /** Layer keys, bottom to top. */
  layers: string[];
  config: Record<string, unknown> | undefined;
  repoTags: string[];
  /** Files that would have told something but were not read, and why. */
  skipped: { layer: string; path: string; reason: string }[];
}

export interface LayerSecret {
  layer: string;
  /** 1-based position of the layer, bottom first. */
  layerIndex: number;
  path: string;
  line: number;
  what: string;
  /** Masked (first two characters at most). */
  masked: string;
  /** Deleted or replaced by a later layer: gone from the running container, still in the image. */
  removed: boolean;
}

/** Package lists and text files are read whole, each up to this size. */
const MAX_TEXT_BYTES = 32 * 2 ** 20;
/** rpmdb.sqlite holds headers of every package: tens of MiB on a large system. */
const MAX_RPMDB_BYTES = 256 * 2 ** 20;
/** Files searched for secrets; binaries and large data are not. */
const MAX_SECRET_SCAN_BYTES = 2 ** 20;
/** Secrets reported per image, so that a planted flood stays a bounded report. */
const MAX_SECRETS = 1_000;
/**
 * Package entries kept per image, over all its files and layers: a large real image lists tens of
 * thousands; copies of one big lockfile, which gzip makes nearly free, would list millions.
 */
export const MAX_PACKAGE_ENTRIES = 500_000;
/** Skipped files named per image, so that the list stays bounded too. */
const MAX_SKIPPED = 1_000;

type Found = { packages: FoundPackage[] } | { text: string };

export async function inventoryImage(archive: Readable): Promise<ImageInventory> {
  const found = new Map<string, Map<string, Found>>();
  const secrets: Omit<LayerSecret, 'layerIndex' | 'removed'>[] = [];
  const skipped: ImageInventory['skipped'] = [];
  const inflate = { bytes: MAX_INFLATED_PER_IMAGE };
  let entries = 0;
  const skip = (file: LayerFile, reason: string) => {
    if (skipped.length < MAX_SKIPPED) skipped.push({ layer: file.layer, path: file.path, reason });
  };
  const keep = (file: LayerFile, value: Found) => {
    if ('packages' in value && (entries += value.packages.length) > MAX_PACKAGE_ENTRIES) {
      skip(file, `the image lists more than ${MAX_PACKAGE_ENTRIES} packages; the rest are not read`);
      // Still kept, empty: the file hides what lower layers had at its path.
      value = { packages: [] };
    }
    const layer = found.get(file.layer) ?? new Map<string, Found>();
    layer.set(file.path, value);
    found.set(file.layer, layer);
  };

  const image = await readImageArchive(archive, async (file) => {
    const reader = readerFor(file.path);
    if (reader) {
      if (file.size > MAX_TEXT_BYTES) return skip(file, `larger than ${MAX_TEXT_BYTES} bytes`);
      const text = (await readAll(file.content)).toString('utf8');
      keep(file, reader === 'text' ? { text } : { packages: reader(text) });
      scanSecrets(file, text);
      return;
    }
    if (isRpmDatabase(file.path)) {
      if (file.size > MAX_RPMDB_BYTES) return skip(file, `larger than ${MAX_RPMDB_BYTES} bytes`);
      keep(file, { packages: readRpmSqlite(await readAll(file.content)) });
      return;
    }
    if (isLegacyRpmDatabase(file.path)) return skip(file, 'rpm BerkeleyDB/NDB databases are not read (only rpmdb.sqlite)');
    if (isJavaArchive(file.path)) {
      if (file.size > MAX_JAR_BYTES) return skip(file, `larger than ${MAX_JAR_BYTES} bytes`);
      const jar = await readJavaArchive(await readAll(file.content), inflate);
      keep(file, { packages: jar.packages });
      if (jar.unread) skip(file, jar.unread);
      return;
    }
    if (file.size > 0 && (file.mode & 0o111) !== 0) {
      const { head, rest } = await firstBytes(file.content, 4);
      if (isElf(head)) keep(file, { packages: await readGoBinary(rest) });
      else if (file.size <= MAX_SECRET_SCAN_BYTES) scanSecrets(file, Buffer.concat([head, await readAll(rest)]));
      return;
    }
    if (file.size <= MAX_SECRET_SCAN_BYTES) scanSecrets(file, await readAll(file.content));
  });

  function scanSecrets(file: LayerFile, data: Buffer | string): void {
    if (secrets.length >= MAX_SECRETS) return;
    const text = typeof data === 'string' ? data : isText(data) ? data.toString('utf8') : undefined;
    if (text === undefined) return;
    for (const secret of fileSecrets(text, file.path.slice(file.path.lastIndexOf('/') + 1), { configLines: isConfigFile(file.path) })) {
      if (secrets.length >= MAX_SECRETS) break;
      secrets.push({ layer: file.layer, path: file.path, line: secret.line, what: secret.what, masked: maskSecret(secret.value) });
    }
  }

  return assemble(image, found, secrets, skipped);
}

function assemble(
  image: ImageArchive,
  found: Map<string, Map<string, Found>>,
  secrets: Omit<LayerSecret, 'layerIndex' | 'removed'>[], skipped: ImageInventory['skipped']): ImageInventory {
  const visible = visibleFiles(image, found);
  const texts = new Map<string, string>();
  for (const [path, { value }] of visible) if ('text' in value) texts.set(path, value.text);
  const os = operatingSystem(texts);
  const distribution = osEcosystem(os);
  const packages = new Map<string, Package>();
  for (const [path, { layer, value }] of visible) {
    if (!('packages' in value)) continue;
    for (const pkg of value.packages) {
      const ecosystem = ecosystemOf(pkg, distribution, os);
      const key = `${ecosystem}\0${pkg.name}\0${pkg.version}`;
      const known = packages.get(key);
      if (known) {
        known.locations.push({ layer, path });
        continue;
      }
      packages.set(key, { ...pkg, ecosystem, purl: purlOf(pkg, os), locations: [{ layer, path }] });
    }
  }
  const order = new Map(image.layers.map((layer, i) => [layer, i]));
  return {
    os,
    packages: [...packages.values()].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version)),
    secrets: secrets
      .filter((s) => order.has(s.layer))
      .map((s) => ({ ...s, layerIndex: order.get(s.layer)! + 1, removed: removedLater(image, order.get(s.layer)!, s.path) }))
      .sort((a, b) => a.layerIndex - b.layerIndex || a.path.localeCompare(b.path) || a.line - b.line),
    layers: image.layers,
    config: image.config,
    repoTags: image.repoTags,
    skipped,
  };
}

/** Whether a layer above `index` deletes, hides or replaces `path`. */
function removedLater(image: ImageArchive, index: number, path: string): boolean {
  return image.layers.slice(index + 1).some((layer) => {
    const changes = image.changes.get(layer);
    return changes !== undefined && hides(changes, path);
  });
}

/**
 * The files the running container sees, by path: from the topmost layer that has each, unless a
 * later layer deleted it (`.wh.` file), hid its folder (opaque folder) or put something else
 * there (a folder, a link, a file left unread, a file where one of its folders was).
 */
function visibleFiles(image: ImageArchive, found: Map<string, Map<string, Found>>): Map<string, { layer: string; value: Found }> {
  const visible = new Map<string, { layer: string; value: Found }>();
  for (const layer of image.layers) {
    const changes = image.changes.get(layer);
    if (changes) for (const path of [...visible.keys()]) if (hides(changes, path)) visible.delete(path);
    for (const [path, value] of found.get(layer) ?? []) visible.set(path, { layer, value });
  }
  return visible;
}

function readerFor(path: string): ((text: string) => FoundPackage[]) | 'text' | undefined {
  if (OS_FILES.includes(path)) return 'text';
  if (isDpkgDatabase(path)) return readDpkgStatus;
  if (path === APK_DATABASE) return readApkInstalled;
  if (isNpmLockfile(path)) return readNpmLockfile;
  if (isInstalledNpmManifest(path)) return readNpmManifest;
  if (isPythonMetadata(path)) return readPythonMetadata;
  return undefined;
}

function ecosystemOf(pkg: FoundPackage, distribution: string | undefined, os: OperatingSystem | undefined): string {
  switch (pkg.type) {
    case 'deb':
    case 'apk':
    case 'rpm':
      return distribution ?? os?.id ?? pkg.type;
    case 'npm':
      return 'npm';
    case 'pypi':
      return 'PyPI';
    case 'golang':
      return 'Go';
    case 'maven':
      return 'Maven';
  }
}

function purlOf(pkg: FoundPackage, os: OperatingSystem | undefined): string {
  try {
    switch (pkg.type) {
      case 'deb':
      case 'apk':
      case 'rpm': {
        const qualifiers = os ? { distro: `${os.id}-${os.version}` } : undefined;
        return new PackageURL(pkg.type, os?.id ?? null, pkg.name, pkg.version, qualifiers ?? null, null).toString();
      }
      case 'npm': {
        const slash = pkg.name.startsWith('@') ? pkg.name.indexOf('/') : -1;
        return new PackageURL('npm', slash > 0 ? pkg.name.slice(0, slash) : null, slash > 0 ? pkg.name.slice(slash + 1) : pkg.name, pkg.version, null, null).toString();
      }
      case 'golang': {
        const slash = pkg.name.lastIndexOf('/');
        return new PackageURL('golang', slash > 0 ? pkg.name.slice(0, slash) : null, slash > 0 ? pkg.name.slice(slash + 1) : pkg.name, pkg.version, null, null).toString();
      }
      case 'maven': {
        const [group, artifact] = pkg.name.split(':');
        return new PackageURL('maven', group ?? null, artifact ?? pkg.name, pkg.version, null, null).toString();
      }
      case 'pypi':
        return new PackageURL('pypi', null, pkg.name, pkg.version, null, null).toString();
    }
  } catch {
    return `pkg:${pkg.type}/${encodeURIComponent(pkg.name)}@${encodeURIComponent(pkg.version)}`;
  }
}

/** Config-like files, where `password = …` lines are secrets rather than code. */
function isConfigFile(path: string): boolean {
  if (/(^|\/)(node_modules|site-packages|dist-packages|usr\/share|usr\/lib|usr\/include)\//.test(path)) return false;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /^\.env(\..+)?$/.test(base) || /\.(env|conf|cnf|cfg|ini|properties|toml|ya?ml|json|netrc)$/.test(base) || ['.netrc', '.pgpass', 'credentials', '.git-credentials', '.npmrc', '.pypirc'].includes(base);
}

/** Text, as far as its first 8 KiB tell: no NUL byte. */
function isText(data: Buffer): boolean {
  return !data.subarray(0, 8192).includes(0);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The first `bytes` of a stream, and a stream of the rest (the head not repeated). */
async function firstBytes(stream: Readable, bytes: number): Promise<{ head: Buffer; rest: Readable }> {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let spill: Buffer | undefined;
  while (head.length < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  if (head.length > bytes) {
    spill = head.subarray(bytes);
    head = head.subarray(0, bytes);
  }
  const rest = Readable.from(
    (async function* () {
      if (spill) yield spill;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  return { head, rest };
}
