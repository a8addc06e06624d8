/** Where the Docker engine listens, as DOCKER_HOST names it. */
export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number };

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * DOCKER_HOST → endpoint: `unix:///path` or `tcp://host:port` (`http://` too); unset means the
 * default socket. Anything else (ssh://, npipe://, TLS setups) is refused with a message rather
 * than guessed at, because a wrong guess would talk to a different engine.
 */
export function endpointFromDockerHost(dockerHost: string | undefined): DockerEndpoint | { error: string } {
  if (dockerHost === undefined || dockerHost.trim() === '') return { kind: 'unix', socketPath: DEFAULT_SOCKET };
  let url: URL;
  try {
    url = new URL(dockerHost);
  } catch {
    return { error: `DOCKER_HOST=${dockerHost} is not an address; use unix:///path/to/docker.sock or tcp://host:port` };
  }
  if (url.protocol === 'unix:') {
    const socketPath = decodeURIComponent(url.pathname);
    return socketPath ? { kind: 'unix', socketPath } : { error: `DOCKER_HOST=${dockerHost} names no socket path` };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return { kind: 'tcp', host, port: url.port ? Number(url.port) : 2375 };
  }
  return { error: `DOCKER_HOST=${dockerHost}: only unix:// and tcp:// engines are supported` };
}

export function describeEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === 'unix' ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`;
}
