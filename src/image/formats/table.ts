import { terminalText } from '../../analyze/index.js';
import type { ImageSbom } from '../sbom.js';

/**
 * A terminal table: one package a line, grouped by type. Names, versions and paths are the image
 * author's: escape sequences and line breaks in them are shown, not obeyed.
 */
export function renderSbomTable(sbom: ImageSbom): string {
  const rows = sbom.packages.map((p) => [p.type, p.name, p.version, p.locations[0]?.path ?? ''].map(terminalText));
  const header = ['TYPE', 'NAME', 'VERSION', 'FOUND IN'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const os = sbom.os ? terminalText(sbom.os.name) : 'unknown distribution';
  return [`${terminalText(sbom.image.name)} (${terminalText(sbom.image.id.slice(0, 19))}): ${os}, ${sbom.packages.length} packages`, '', line(header), ...rows.map(line)].join('\n') + '\n';
}
