import yauzl from 'yauzl';
import type { FoundPackage } from './model.js';

export function isJavaArchive(path: string): boolean {
  return /\.(jar|war|ear)$/i.test(path);
}

/** A jar read whole: its central directory is at its end. Larger ones are reported, not read. */
export const MAX_JAR_BYTES = 64 * 2 ** 20;
const MAX_PROPERTIES_BYTES = 64 * 2 ** 10;
const MAX_NESTED_JARS = 500;
/**
 * Bytes inflated per archive (its nested jars included) and per image: a jar is a ZIP, and a few
 * MiB of nested jars of zeros would otherwise inflate to tens of GiB (docs/security.md).
 */
export const MAX_INFLATED_PER_ARCHIVE = 256 * 2 ** 20;
export const MAX_INFLATED_PER_IMAGE = 2 ** 30;

/** What is left to inflate: one per image, shared by its archives. */
export interface InflateBudget {
  bytes: number;
}

export interface JavaArchive {
  packages: FoundPackage[];
  /** Set when the budget ran out before the archive was read to its end. */
  unread?: string;
}

/**
 * The Maven artifacts a Java archive carries: every `META-INF/maven/<group>/<artifact>/pom.properties`,
 * also inside the jars it bundles (`BOOT-INF/lib/*.jar`, `WEB-INF/lib/*.jar`), one level deep.
 */
export async function readJavaArchive(data: Buffer, image: InflateBudget): Promise<JavaArchive> {
  const archive = { bytes: MAX_INFLATED_PER_ARCHIVE };
  const result: JavaArchive = { packages: [] };
  await readEntries(data, true, (size) => {
    if (size <= archive.bytes && size <= image.bytes) {
      archive.bytes -= size;
      image.bytes -= size;
      return true;
    }
    result.unread ??= `inflating it whole takes more than ${size > image.bytes ? `${MAX_INFLATED_PER_IMAGE} bytes for the image's archives` : `${MAX_INFLATED_PER_ARCHIVE} bytes`}; the rest was not read`;
    return false;
  }, result.packages);
  return result;
}

/** `spend` says whether an entry of that inflated size may still be read (yauzl enforces the size). */
async function readEntries(data: Buffer, nested: boolean, spend: (size: number) => boolean, found: FoundPackage[]): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(data, { lazyEntries: true, validateEntrySizes: true });
  } catch {
    return;
  }
  let jars = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(name) && entry.uncompressedSize <= MAX_PROPERTIES_BYTES) {
        if (!spend(entry.uncompressedSize)) return;
        const artifact = readPomProperties((await readEntry(zip, entry)).toString('utf8'));
        if (artifact) found.push(artifact);
      } else if (nested && /\.jar$/i.test(name) && entry.uncompressedSize <= MAX_JAR_BYTES && ++jars <= MAX_NESTED_JARS) {
        if (!spend(entry.uncompressedSize)) return;
        await readEntries(await readEntry(zip, entry), false, spend, found);
      }
    }
  } catch {
    // A damaged archive yields what was read before the damage.
  } finally {
    zip.close();
  }
}

/** `key=value` lines, read line by line: a regular expression over the whole file is quadratic on hostile input. */
function readPomProperties(text: string): FoundPackage | undefined {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.search(/[=:]/);
    if (at < 0) continue;
    const key = line.slice(0, at).trim();
    if (!values.has(key)) values.set(key, line.slice(at + 1).trim());
  }
  const group = values.get('groupId');
  const artifact = values.get('artifactId');
  const version = values.get('version');
  if (!group || !artifact || !version) return undefined;
  return { type: 'maven', name: `${group}:${artifact}`, version, licenses: [] };
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
