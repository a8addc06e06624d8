export { loadProject, type LoadOptions, type LoadResult } from './load.js';
export { confinedTo, isInside, type FileGuard } from './confine.js';
export {
  discoverProjects,
  defaultServiceProbe,
  findDefaultComposeFiles,
  readShipshapeConfig,
  type ComposeNames,
  type DiscoveredProject,
  type ProbedFile,
  type ServiceProbe,
  type DiscoveryResult,
  type Environment,
  type ShipshapeConfig,
} from './discover.js';
export {
  formatDiagnostic,
  formatPosition,
  hasErrors,
  type Diagnostic,
  type DiagnosticCode,
  type Position,
  type RelatedPosition,
  type Severity,
} from './diagnostics.js';
export { pointer, type SourceMap } from './node.js';
export {
  serviceGraph,
  startupLevels,
  cycleNames,
  DependencyCycleError,
  type DependencyKind,
  type ServiceDependency,
  type ServiceGraph,
} from './graph.js';
export type * from './model.js';
export { splitShellWords } from './shell-words.js';
