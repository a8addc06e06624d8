export { buildAgent, type AgentOptions } from './app.js';
export { SHUTDOWN_GRACE_MS, startAgent, type RunningAgent } from './server.js';
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
export { AgentError } from './errors.js';
export { heartbeatDelay, type HeartbeatStatus } from './heartbeat.js';
export type { ResourceProbe, DiskUsage, LoadAverage, MemoryUsage } from './resources.js';
