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
 * The Maven artifacts a Java archive carries: every `META-INF/maven/<group>/<artifact>/pom.properties`,
 * also inside the jars it bundles (`BOOT-INF/lib/*.jar`, `WEB-INF/lib/*.jar`), one level deep.
 */
export async function readJavaArchive(data: Buffer, nested = true): Promise<FoundPackage[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(data, { lazyEntries: true, validateEntrySizes: true });
  } catch {
    return [];
  }
  const found: FoundPackage[] = [];
  let jars = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(name) && entry.uncompressedSize <= MAX_PROPERTIES_BYTES) {
        const artifact = readPomProperties((await readEntry(zip, entry)).toString('utf8'));
        if (artifact) found.push(artifact);
      } else if (nested && /\.jar$/i.test(name) && entry.uncompressedSize <= MAX_JAR_BYTES && ++jars <= MAX_NESTED_JARS) {
        found.push(...(await readJavaArchive(await readEntry(zip, entry), false)));
      }
    }
  } catch {
    // A damaged archive yields what was read before the damage.
  } finally {
    zip.close();
  }
  return found;
}

function readPomProperties(text: string): FoundPackage | undefined {
  const value = (key: string) => new RegExp(`^\\s*${key}\\s*[=:]\\s*(.+?)\\s*$`, 'm').exec(text)?.[1];
  const group = value('groupId');
  const artifact = value('artifactId');
  const version = value('version');
  if (!group || !artifact || !version) return undefined;
  return { type: 'maven', name: `${group}:${artifact}`, version, licenses: [] };
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
