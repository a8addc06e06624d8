import dependencyCycle from './dependency-cycle.js';
import healthyWithoutHealthcheck from './healthy-without-healthcheck.js';
import ignoredPorts from './ignored-ports.js';
import missingBindSource from './missing-bind-source.js';
import missingBuildContext from './missing-build-context.js';
import missingDockerfile from './missing-dockerfile.js';
import missingFileReference from './missing-file-reference.js';
import obsoleteVersion from './obsolete-version.js';
import portConflict from './port-conflict.js';
import schema from './schema.js';
import undefinedConfig from './undefined-config.js';
import undefinedNetwork from './undefined-network.js';
import undefinedSecret from './undefined-secret.js';
import undefinedVolume from './undefined-volume.js';
import unknownDependency from './unknown-dependency.js';
import unsetVariable from './unset-variable.js';
import yamlDuplicateKey from './yaml-duplicate-key.js';
import yamlSyntax from './yaml-syntax.js';

/** The validation rules, in the order of docs/architecture.md. */
export const VALIDATION_RULES = [
  yamlSyntax,
  yamlDuplicateKey,
  schema,
  undefinedVolume,
  undefinedNetwork,
  undefinedSecret,
  undefinedConfig,
  unknownDependency,
  dependencyCycle,
  healthyWithoutHealthcheck,
  missingBuildContext,
  missingDockerfile,
  missingBindSource,
  missingFileReference,
  unsetVariable,
  portConflict,
  ignoredPorts,
  obsoleteVersion,
] as const;
