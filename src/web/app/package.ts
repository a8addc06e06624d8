import type { AnalysisPreview } from '../../contract/index.js';
import { readZip, toBase64 } from './zip.js';

const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** A compose project as the deploy view sends it: the compose file as text, the rest base64. */
export interface PickedPackage {
  compose: string;
  files: Record<string, string>;
  /** What was picked, for the operator to check. */
  names: string[];
}

/**
 * Files or one ZIP from a file input: the compose file is the one with compose's default name at
 * the top (or in the one folder everything is in); every other file keeps its path below it.
 */
export async function pickPackage(list: FileList | readonly File[]): Promise<PickedPackage> {
  const picked = [...list];
  let entries: { path: string; data: Uint8Array }[];
  if (picked.length === 1 && /\.zip$/i.test(picked[0]!.name)) {
    entries = await readZip(await picked[0]!.arrayBuffer());
  } else {
    entries = await Promise.all(picked.map(async (file) => ({ path: file.webkitRelativePath || file.name, data: new Uint8Array(await file.arrayBuffer()) })));
  }
  // One folder holding everything (a zipped folder, a picked directory): its contents are the package.
  const tops = new Set(entries.map((e) => (e.path.includes('/') ? e.path.split('/')[0] : '')));
  if (tops.size === 1 && !tops.has('')) {
    const prefix = `${[...tops][0]}/`;
    entries = entries.map((e) => ({ ...e, path: e.path.slice(prefix.length) }));
  }
  const compose = COMPOSE_NAMES.map((name) => entries.find((e) => e.path === name)).find(Boolean);
  if (!compose) throw new Error(`no compose file among ${entries.length} file(s): name it compose.yaml (or compose.yml, docker-compose.yaml, docker-compose.yml)`);
  const files: Record<string, string> = {};
  for (const entry of entries) if (entry !== compose && !COMPOSE_NAMES.includes(entry.path)) files[entry.path] = toBase64(entry.data);
  return { compose: new TextDecoder().decode(compose.data), files, names: entries.map((e) => e.path).sort() };
}

/** The last analysis the operator asked for: the report view shows it in full. */
export const lastAnalysis: { preview: AnalysisPreview | null; names: string[] } = { preview: null, names: [] };
