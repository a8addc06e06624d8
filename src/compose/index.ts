export { loadProject, type LoadOptions, type LoadResult } from './load.js';
export {
  discoverProjects,
  defaultServiceProbe,
  findDefaultComposeFiles,
  readShipshapeConfig,
  type DiscoveredProject,
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
export type * from './model.js';
