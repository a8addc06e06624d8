export { buildManager, type BuildManagerOptions, type Manager } from './app.js';
export {
  DEFAULT_DATABASE_URL,
  defaultMonitorInterval,
  managerConfig,
  mergeDotenv,
  parseManagerConfig,
  redactUrl,
  type ConfigProblem,
  type ConfigResult,
  type DeployGate,
  type LogLevel,
  type ManagerConfig,
} from './config.js';
export { HttpAgentClient, agentBaseUrl, type AgentClient, type AgentContainer, type AgentResult, type AgentTarget, type AgentTls } from './agent-client.js';
export { GENERATED_ADMIN_EMAIL, type InitialAdmin } from './first-admin.js';
export { ensureLocalHost, localAgentIdentity, type LocalHostOptions } from './local-host.js';
export { servesTls } from './config.js';
export { openRepository, openDatabase, sqlitePath } from './storage/open.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate } from './storage/migrations.js';
export { UniqueViolation, numberedPlaceholders, type Database, type Queryable } from './storage/database.js';
export type { Repository, HostRecord, DeploymentRecord, UserRecord, AuditRecord, HeartbeatFigures } from './storage/repository.js';
export { readZip, writeZip, ZipError, type ZipEntry } from './package/zip.js';
export { hashKey, mintServerKey, verifyKey } from './security/keys.js';
export { healthiness } from './views.js';
export { FleetStore, SearchIndex, parseFleetConfig, type FleetConfig, type WebhookAllowList } from './fleet/index.js';
export { isPublicAddress, signatureOf } from './alerts/index.js';
