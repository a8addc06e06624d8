import healthcheckToolMissing from './healthcheck-tool-missing.js';
import missingHealthcheck from './missing-healthcheck.js';
import missingLogRotation from './missing-log-rotation.js';
import missingResourceLimits from './missing-resource-limits.js';
import missingRestartPolicy from './missing-restart-policy.js';

/** The reliability rules, in the order of docs/architecture.md. */
export const RELIABILITY_RULES = [
  missingHealthcheck,
  healthcheckToolMissing,
  missingResourceLimits,
  missingRestartPolicy,
  missingLogRotation,
] as const;
