export { up, DEFAULT_WAIT_TIMEOUT_MS, type UpOptions, type UpResult } from './up.js';
export { down, stop, type DownOptions, type DownResult, type StopOptions } from './down.js';
export { restart, type RestartOptions } from './restart.js';
export { ps, type ContainerStatus, type PsOptions, type PublishedPort } from './ps.js';
export { logs, type LogsOptions, type ServiceLogLine } from './logs.js';
export {
  plan,
  usedNetworks,
  usedVolumes,
  type ContainerAction,
  type ContainerStep,
  type ObservedContainer,
  type ObservedState,
  type Plan,
  type PlanOptions,
  type ResourceStep,
  type ServicePlan,
} from './plan.js';
export { observe, projectContainers } from './observe.js';
export { checkSupported, formatIssue, type EngineIssue, type PositionOf } from './supported.js';
export { containerSpec, networkCreateBody, volumeCreateBody, type ContainerSpec, type ContainerContext } from './translate.js';
export { COMPOSE_VERSION, LABEL, builtImageName, containerName, replicaCount, serviceHash } from './labels.js';
export { dependenciesOf, startupLevels, DependencyCycleError } from './graph.js';
export { buildContext, parseDockerignore } from './build-context.js';
export { EngineError, ServiceWaitError, UnsupportedConfigError } from './errors.js';
export type { ProgressAction, ProgressEvent, ProgressListener } from './progress.js';
