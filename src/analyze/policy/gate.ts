import { confinedTo } from '../../compose/index.js';
import { analyze } from '../analyze.js';
import type { ConfigProblem } from '../config.js';
import type { Report } from '../report-types.js';
import { RULES } from '../rules/index.js';
import { decide, type DeployPolicy, type GateDecision } from './policy.js';

export interface GateInput {
  /** The project folder: the package as the agent runs it. */
  dir: string;
  /** Its compose files, absolute, in merge order: the ones the agent runs (deployFiles). */
  files: readonly string[];
  policy: DeployPolicy;
  /** The operator's analyzer config (`rules:` re-grades); the package's own is never read. */
  configFile?: string;
  version: string;
}

/** `report`: the whole analysis, for a preview of what the gate decided on. */
export type GateOutcome = GateDecision & { problems: ConfigProblem[]; report: Report };

/**
 * Analyzes a package before it is deployed, as its author cannot influence: no inline ignore and
 * no `.shipshape.yml` of the package is honoured, at any file size; no process environment
 * reaches interpolation (the agent's holds its SERVER_KEY); the loader and the rules read only
 * the package's files and the operator's allowed host paths, refusing others before they are
 * opened. `problems` are reasons the analysis could not run at all.
 */
export function gateProject(input: GateInput): GateOutcome {
  const { report, problems } = analyze({
    root: input.dir,
    files: input.files,
    rules: RULES,
    version: input.version,
    env: {},
    untrustedProject: true,
    configFile: input.configFile,
    confine: confinedTo([input.dir, ...input.policy.allowedHostPaths]),
    allowedHostPaths: input.policy.allowedHostPaths,
  });
  const findings = report.projects.flatMap((p) => p.environments.flatMap((e) => e.findings));
  return { ...decide(findings, input.policy), problems, report };
}
