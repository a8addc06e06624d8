import type { FoundPackage } from './model.js';

/** An installed distribution's metadata: `*.dist-info/METADATA` (wheels) or `*.egg-info/PKG-INFO`. */
export function isPythonMetadata(path: string): boolean {
  return /\.dist-info\/METADATA$/.test(path) || /\.egg-info(\/PKG-INFO)?$/.test(path);
}

/** `Name:`, `Version:` and `License:` from the metadata's header (it ends at the first blank line). */
export function readPythonMetadata(text: string): FoundPackage[] {
  const header = text.split(/\r?\n\r?\n/)[0] ?? '';
  const field = (key: string) => new RegExp(`^${key}:[ \\t]*(.+)$`, 'mi').exec(header)?.[1]?.trim();
  const name = field('Name');
  const version = field('Version');
  if (!name || !version) return [];
  const license = field('License-Expression') ?? field('License');
  return [{ type: 'pypi', name, version, licenses: license && license !== 'UNKNOWN' && license.length < 100 ? [license] : [] }];
}
