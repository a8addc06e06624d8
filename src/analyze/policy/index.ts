export {
  DEFAULT_GATE,
  GATE_THRESHOLDS,
  REMOTE_REFUSED_RULES,
  decide,
  isGateThreshold,
  localPolicy,
  reaches,
  type AllowanceUse,
  type DeployPolicy,
  type GateDecision,
  type GateThreshold,
} from './policy.js';
export { gateProject, type GateInput, type GateOutcome } from './gate.js';
export { deployFiles, type DeployFiles } from './deploy-files.js';
