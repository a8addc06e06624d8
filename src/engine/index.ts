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
export { checkSupported, formatIssue, REFUSED_SERVICE_KEYS, SUPPORTED_SERVICE_KEYS, type EngineIssue, type PositionOf } from './supported.js';
export { containerSpec, networkCreateBody, volumeCreateBody, type ContainerSpec, type ContainerContext } from './translate.js';
export { COMPOSE_VERSION, LABEL, builtImageName, containerName, replicaCount, serviceHash } from './labels.js';
export {
  dependenciesOf,
  describeDependencies,
  startupLevels,
  DependencyCycleError,
  type DependencyDescription,
  type DependencyEdge,
} from './graph.js';
export { runStack, type StackSteps } from './schedule.js';
export { StackWatch, type WaitTarget } from './wait.js';
export { buildContext, parseDockerignore } from './build-context.js';
export { EngineError, ServiceWaitError, UnsupportedConfigError } from './errors.js';
export type { ProgressAction, ProgressEvent, ProgressListener } from './progress.js';
export { execInService, type ExecOptions } from './exec.js';
export { runOneOff, parseVolume, type RunOptions, type RunResult } from './run.js';
export { start, kill, pause, unpause, removable, remove, type LifecycleOptions } from './lifecycle.js';
export { buildServices, type BuildServicesOptions } from './build.js';
export { listProjects, combinedStatus, type ProjectSummary } from './projects.js';
export { top, publishedPort, containerImages, waitServices, type ContainerImage } from './inspect.js';
export { projectEvents, type ProjectEvent } from './events.js';
export { copyFromContainer, copyToContainer } from './copy.js';
export { waitUntilReady } from './up-wait.js';
export { UnknownServiceError, allServiceNames, checkServiceNames, selectContainers, serviceContainer } from './select.js';
export type { StdioStreams } from './stdio.js';
