import type { Report } from './report-types.js';
import { layerSecret } from './rules/security/hardcoded-secret.js';
import { describeVulnerability } from './rules/security/image-vulnerability.js';
import { computeScores } from './scores.js';
import { SEVERITIES, type Finding, type ImageFindings, type RawFinding } from './types.js';

/**
 * The report of `shipshape scan IMAGE`: one project named after the image, whose findings point
 * at files inside it (the package database that lists a package, the file that holds a secret),
 * so that every report format and the gate read it as they read a project's (docs/scan.md).
 */
export function imageReport(image: string, found: ImageFindings, version: string): Report {
  const at = (rule: string, file: string, line: number, raw: Omit<RawFinding, 'path' | 'service'>): Finding => ({
    rule,
    severity: raw.severity ?? 'high',
    service: null,
    services: [],
    file,
    line,
    column: line > 0 ? 1 : 0,
    message: raw.message,
    fix: raw.fix ?? null,
  });
  const findings = [
    ...found.vulnerabilities.map((v) => at('image-vulnerability', v.location, 0, describeVulnerability(image, v))),
    ...found.secrets.map((s) => at('hardcoded-secret', s.path, s.line, layerSecret(image, s))),
  ].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.file.localeCompare(b.file) || a.line - b.line);
  const scores = computeScores({ findings, categoryOf: () => 'security', exposureOf: () => undefined, serviceCount: 1 });
  return {
    version: 1,
    tool: { name: 'shipshape', version },
    projects: [
      {
        dir: image,
        environments: [
          {
            name: 'image',
            files: [],
            inventory: { services: [], networks: [], volumes: [], secrets: [], configs: [] },
            graph: { startup_order: [], edges: [] },
            findings,
            scores,
          },
        ],
      },
    ],
  };
}
