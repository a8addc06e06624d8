import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Report } from '../report-types.js';
import { CIS_BENCHMARK, cisTitle } from '../cis/index.js';
import type { Finding, Severity } from '../types.js';
import type { RenderOptions, RuleInfo } from './types.js';

// SARIF 2.1.0 for code-scanning tools (GitHub code scanning, Azure DevOps, IDE viewers). One run,
// every rule of the catalogue in tool.driver.rules, one result per finding.

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** The base every result's uri is relative to: the directory `shipshape analyze` was given. */
export const SRCROOT = '%SRCROOT%';
/** The key of our fingerprint in `partialFingerprints`; bump the version if its recipe changes. */
export const FINGERPRINT_KEY = 'shipshape/v1';
/**
 * The tool's home page, where a code-scanning UI sends readers of a result (`tool.driver.informationUri`,
 * which must be absolute). The rule pages live under its `docs/rules/`.
 */
export const INFORMATION_URI = 'https://github.com/shipshape/shipshape';

export type SarifLevel = 'error' | 'warning' | 'note';

/** docs/architecture.md: critical and high are errors, medium a warning, low and info notes. */
export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

// GitHub code scanning ranks security alerts by this CVSS-like number (a string, as it expects).
const SECURITY_SEVERITY: Readonly<Record<Severity, string | null>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: null,
};

interface MultiformatMessage {
  text: string;
  markdown?: string;
}

export interface SarifRule {
  id: string;
  shortDescription?: MultiformatMessage;
  fullDescription?: MultiformatMessage;
  help?: MultiformatMessage;
  defaultConfiguration: { level: SarifLevel };
  /** `cis`: the CIS Docker Benchmark v1.6.0 ids the rule checks, also as `CIS-5.5` tags. */
  properties: { tags: string[]; docs: string; 'security-severity'?: string; cis?: string[] };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations?: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region?: { startLine: number; startColumn?: number };
    };
  }[];
  partialFingerprints: Record<string, string>;
  properties: {
    severity: Severity;
    service: string | null;
    environment: string;
    /** Every environment the same finding appears in (a base file's finding shows in each overlay). */
    environments: string[];
    fix: string | null;
    /** The CIS Docker Benchmark v1.6.0 ids this result fails. */
    cis: string[];
  };
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version: string; semanticVersion?: string; informationUri: string; rules: SarifRule[] } };
    originalUriBaseIds: Record<string, { description: { text: string } }>;
    columnKind: 'utf16CodeUnits';
    results: SarifResult[];
  }[];
}

export function renderSarif(report: Report, rules: readonly RuleInfo[], _options: RenderOptions = {}): string {
  return `${JSON.stringify(toSarif(report, rules), null, 2)}\n`;
}

export function toSarif(report: Report, rules: readonly RuleInfo[]): SarifLog {
  const descriptors: SarifRule[] = [];
  const indexOf = new Map<string, number>();
  const addRule = (descriptor: SarifRule): number => {
    const known = indexOf.get(descriptor.id);
    if (known !== undefined) return known;
    indexOf.set(descriptor.id, descriptors.length);
    descriptors.push(descriptor);
    return descriptors.length - 1;
  };
  for (const rule of rules) addRule(ruleDescriptor(rule));

  const results: SarifResult[] = [];
  for (const project of report.projects) {
    // The same finding in a base file appears in every environment built on it; one alert each.
    const seen = new Map<string, SarifResult>();
    for (const env of project.environments) {
      for (const finding of env.findings) {
        const ruleIndex = indexOf.get(finding.rule) ?? addRule(unknownRule(finding));
        const file = finding.file || env.files[0] || '';
        const uri = file ? artifactUri(project.dir, file) : null;
        const key = JSON.stringify([finding.rule, uri, finding.line, finding.column, finding.severity, finding.message]);
        const earlier = seen.get(key);
        if (earlier) {
          if (!earlier.properties.environments.includes(env.name)) earlier.properties.environments.push(env.name);
          continue;
        }
        const result = toResult(finding, ruleIndex, uri, env.name);
        seen.set(key, result);
        results.push(result);
      }
    }
  }

  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            ...(/^\d+\.\d+\.\d+/.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
            informationUri: INFORMATION_URI,
            rules: descriptors,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { description: { text: 'The directory shipshape analyze was given.' } } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function toResult(finding: Finding, ruleIndex: number, uri: string | null, environment: string): SarifResult {
  const result: SarifResult = {
    ruleId: finding.rule,
    ruleIndex,
    level: SARIF_LEVEL[finding.severity],
    message: { text: finding.message },
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(finding.rule, uri ?? '', finding.message) },
    properties: {
      severity: finding.severity,
      service: finding.service,
      environment,
      environments: [environment],
      fix: finding.fix,
      cis: [...(finding.cis ?? [])],
    },
  };
  if (uri !== null) {
    const absolute = uri.startsWith('file:');
    result.locations = [
      {
        physicalLocation: {
          artifactLocation: absolute ? { uri } : { uri, uriBaseId: SRCROOT },
          ...(finding.line > 0 && finding.file
            ? { region: { startLine: finding.line, ...(finding.column > 0 ? { startColumn: finding.column } : {}) } }
            : {}),
        },
      },
    ];
  }
  return result;
}

/**
 * Rule, file and message, not the line: a baseline or a code-scanning alert survives edits that
 * move the finding, and a different problem at the same place is a different alert.
 */
export function fingerprint(rule: string, uri: string, message: string): string {
  return createHash('sha256').update(`${rule}\u0000${uri}\u0000${message}`).digest('hex').slice(0, 32);
}

/** The project dir joined with the file, as a relative URI reference with `/` and percent-escapes. */
export function artifactUri(projectDir: string, file: string): string {
  const slashed = (path: string): string => path.replaceAll('\\', '/');
  const target = slashed(file);
  const absolute = posix.isAbsolute(target) || /^[a-zA-Z]:\//.test(target);
  const joined = posix.normalize(absolute ? target : posix.join(slashed(projectDir) || '.', target));
  const encode = (path: string): string => path.split('/').map((segment) => encodeURIComponent(segment)).join('/');
  if (posix.isAbsolute(joined)) return `file://${encode(joined)}`;
  if (/^[a-zA-Z]:\//.test(joined)) return `file:///${joined.slice(0, 2)}${encode(joined.slice(2))}`;
  return encode(joined);
}

function ruleDescriptor(rule: RuleInfo): SarifRule {
  const docs = docsPath(rule.id);
  const fence = codeFence(rule.docs.example);
  const language = rule.category === 'dockerfile' ? 'dockerfile' : 'yaml';
  const securitySeverity = rule.category === 'security' ? SECURITY_SEVERITY[rule.severity] : null;
  const cis = rule.cis ?? [];
  const benchmark = cis.length > 0 ? `\n\n${CIS_BENCHMARK}: ${cis.map(cisTitle).join('; ')}` : '';
  return {
    id: rule.id,
    shortDescription: { text: rule.docs.summary },
    fullDescription: { text: rule.docs.why },
    help: {
      text: `${rule.docs.fix}\n\nExample that triggers it:\n${rule.docs.example}\nDocumentation: ${docs}${benchmark}`,
      markdown:
        `${rule.docs.summary}\n\n**Why it matters.** ${rule.docs.why}\n\n**How to fix.** ${rule.docs.fix}\n\n` +
        `**Example** (reported):\n\n${fence}${language}\n${rule.docs.example.replace(/\n$/, '')}\n${fence}\n\n` +
        `Documentation: \`${docs}\`${benchmark}`,
    },
    defaultConfiguration: { level: SARIF_LEVEL[rule.severity] },
    properties: {
      tags: [rule.category, ...cis.map((id) => `CIS-${id}`)],
      docs,
      ...(cis.length > 0 ? { cis: [...cis] } : {}),
      ...(securitySeverity !== null ? { 'security-severity': securitySeverity } : {}),
    },
  };
}

/** A rule the catalogue does not know (a re-graded or retired id): enough for ruleIndex to hold. */
function unknownRule(finding: Finding): SarifRule {
  return {
    id: finding.rule,
    defaultConfiguration: { level: SARIF_LEVEL[finding.severity] },
    properties: { tags: [], docs: docsPath(finding.rule) },
  };
}

/**
 * SARIF's `helpUri` must be an absolute URI; the docs ship with the package under this relative
 * path, so it goes in the rule's properties and help text instead.
 */
function docsPath(id: string): string {
  return `docs/rules/${id}.md`;
}

/** A Markdown fence longer than any run of backticks in the code it encloses. */
function codeFence(code: string): string {
  const longest = Math.max(0, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}
