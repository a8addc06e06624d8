import type { ImageSbom } from '../sbom.js';

/** A terminal table: one package a line, grouped by type. */
export function renderSbomTable(sbom: ImageSbom): string {
  const rows = sbom.packages.map((p) => [p.type, p.name, p.version, p.locations[0]?.path ?? '']);
  const header = ['TYPE', 'NAME', 'VERSION', 'FOUND IN'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const os = sbom.os ? `${sbom.os.name}` : 'unknown distribution';
  return [`${sbom.image.name} (${sbom.image.id.slice(0, 19)}): ${os}, ${sbom.packages.length} packages`, '', line(header), ...rows.map(line)].join('\n') + '\n';
}
