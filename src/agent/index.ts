export { buildAgent, type AgentOptions } from './app.js';
export { ListenRefused, SHUTDOWN_GRACE_MS, startAgent, type RunningAgent } from './server.js';
export { enroll, EnrollmentError, ENROLLMENT_FILE, readEnrollment, writeEnrollment, type EnrollOptions, type Enrollment } from './enrollment.js';
export {
  DEFAULT_PACKAGE_LIMITS,
  mergeDotenv,
  parseAgentConfig,
  type AgentConfig,
  type AnalysisGate,
  type ConfigProblem,
  type ConfigResult,
  type LogLevel,
  type PackageLimits,
} from './config.js';
export type { AgentApp, AgentContext } from './context.js';
export { HttpError } from '../http/index.js';
export { heartbeatDelay, type HeartbeatStatus } from './heartbeat.js';
export type { ResourceProbe, DiskUsage, LoadAverage, MemoryUsage } from './resources.js';
export { ImageScanner, ImageScanRefused, SCANNING_OFF, type ImageScannerOptions } from './image-scans.js';
