export {
  DockerClient,
  splitImageRef,
  type BuildOptions,
  type DockerClientOptions,
  type ImportOptions,
  type LogsOptions,
} from './client.js';
export type { CallOptions } from './call.js';
export { DEFAULT_SOCKET, describeEndpoint, endpointFromDockerHost, type DockerEndpoint } from './endpoint.js';
export {
  DockerAbortError,
  DockerApiError,
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerTimeoutError,
  DockerUnavailableError,
} from './errors.js';
export { messageError, type ProgressMessage } from './json-stream.js';
export { frames, type Frame } from './frames.js';
export { logLines, type LogLine } from './log-stream.js';
export { tarStream, type TarEntry } from './tar.js';
export type * from './types.js';

import { DockerClient, type DockerClientOptions } from './client.js';

/** A client for the engine DOCKER_HOST names (default: the local unix socket). */
export function createDockerClient(options: DockerClientOptions = {}): DockerClient {
  return new DockerClient(options);
}
