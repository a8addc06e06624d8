import { SEVERITIES, type ImageFindings, type ImageVulnerability, type Severity } from '../analyze/index.js';
import type { AdvisoryIndex } from './osv/index.js';
import type { ImageSbom } from './sbom.js';
import { versionOrder } from './versions/index.js';

/**
 * The known vulnerabilities of an image's packages, one entry per package with all of its
 * advisories (the lowest version that fixes them all, the worst severity), and its layer
 * secrets, as the analyzer's rules report them (docs/scan.md).
 */
export function scanSbom(sbom: ImageSbom, index: AdvisoryIndex): ImageFindings {
  const vulnerabilities: ImageVulnerability[] = [];
  for (const pkg of sbom.packages) {
    const matches = index.match(pkg);
    if (matches.length === 0) continue;
    const advisories = matches
      .map(({ advisory, fixed }) => ({
        id: advisory.id,
        aliases: advisory.aliases,
        severity: advisory.severity,
        summary: advisory.summary,
        fixed: fixed ?? null,
        url: advisory.url ?? null,
      }))
      .sort((a, b) => rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
    vulnerabilities.push({
      ecosystem: pkg.ecosystem,
      package: pkg.name,
      version: pkg.version,
      location: pkg.locations[0]?.path ?? '',
      fixed: fixingAll(pkg.ecosystem, advisories.map((a) => a.fixed)),
      severity: advisories[0]!.severity,
      advisories,
    });
  }
  vulnerabilities.sort((a, b) => rank(a.severity) - rank(b.severity) || a.package.localeCompare(b.package));
  const secrets = sbom.secrets.map(({ layerIndex, path, line, what, masked, removed }) => ({ layer: layerIndex, path, line, what, masked, removed }));
  return { vulnerabilities, secrets, layers: sbom.layers.length };
}

/** The highest of the fixed versions, when every advisory has one. */
function fixingAll(ecosystem: string, fixes: (string | null)[]): string | null {
  const order = versionOrder(ecosystem);
  if (fixes.some((f) => f === null) || fixes.length === 0) return null;
  return (fixes as string[]).reduce((high, f) => ((order?.(f, high) ?? 0) > 0 ? f : high));
}

function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
