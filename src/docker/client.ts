import { createRequire } from 'node:module';
import type { Duplex, Readable } from 'node:stream';
import { runCall, type CallOptions } from './call.js';
import { describeEndpoint, endpointFromDockerHost, type DockerEndpoint } from './endpoint.js';
import { DockerAbortError, DockerApiError, DockerError, toDockerError } from './errors.js';
import { jsonMessages, messageError, type ProgressMessage } from './json-stream.js';
import { logLines, type LogLine } from './log-stream.js';
import type {
  ContainerCreateBody,
  ContainerInspect,
  ContainerChange,
  ContainerStats,
  ContainerSummary,
  ContainerTop,
  EndpointSettings,
  EngineEvent,
  ExecCreateBody,
  ExecInspect,
  EngineInfo,
  EngineVersion,
  EventFilters,
  ExecResult,
  ImageInspect,
  ImageSummary,
  ListFilters,
  NetworkCreateBody,
  NetworkInspect,
  VolumeCreateBody,
  VolumeInspect,
} from './types.js';

export interface DockerClientOptions {
  /** A DOCKER_HOST-style address; default: `env.DOCKER_HOST`, else the default unix socket. */
  host?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Default time limit of a call in milliseconds (30 s); long operations have their own. */
  timeoutMs?: number;
}

export interface LogsOptions {
  follow?: boolean;
  /** Lines from the end to start with; default all. */
  tail?: number;
  /** Unix seconds or an RFC 3339 time. */
  since?: number | string;
  timestamps?: boolean;
  /** Whether the container has a TTY; looked up when not given. */
  tty?: boolean;
}

export interface BuildOptions {
  /** Name:tag for the image. */
  tag: string;
  /** Path of the Dockerfile inside the context. */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
  /** Build without the layer cache. */
  noCache?: boolean;
  /** Pull newer versions of the base images. */
  pull?: boolean;
  onProgress?: (message: ProgressMessage) => void;
}

export interface ImportOptions {
  repo: string;
  tag?: string;
  /** Dockerfile instructions applied to the imported image (`CMD ["sh"]`, `WORKDIR /`). */
  changes?: string[];
}

/** The subset of docker-modem the client drives. */
interface Modem {
  dial(options: Record<string, unknown>, callback: (err: unknown, data: unknown) => void): void;
}

type StatusCodes = Record<number, true | string>;

interface Request {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'HEAD';
  path: string;
  query?: Record<string, string | number | boolean | string[] | undefined>;
  body?: unknown;
  /** A request body to stream (build contexts, imports). */
  file?: NodeJS.ReadableStream;
  /** Hand back the response stream instead of its parsed body. */
  stream?: boolean;
  hijack?: boolean;
  statusCodes?: StatusCodes;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Stopping waits for the container's own grace period before this margin applies. */
const STOP_MARGIN_MS = 30_000;
const OK: StatusCodes = { 200: true, 201: true, 204: true, 304: true };

// docker-modem (dockerode's connection layer) pulls in ssh2, whose optional native addons esbuild
// cannot bundle; loading it with a require of our own keeps it out of dist/shipshape.cjs and off
// the start-up path of commands that never talk to the engine.
const requireFromHere = createRequire(import.meta.url);

/**
 * A promise-only client for the parts of the Engine API Shipshape uses. Every method takes
 * `CallOptions` (AbortSignal, time limit) last and rejects only with `DockerError`s.
 */
export class DockerClient {
  readonly endpoint: DockerEndpoint;
  readonly address: string;
  private readonly modem: Modem;
  private readonly timeoutMs: number;

  constructor(options: DockerClientOptions = {}) {
    const env = options.env ?? process.env;
    const endpoint = endpointFromDockerHost(options.host ?? env.DOCKER_HOST);
    if ('error' in endpoint) throw new DockerError(endpoint.error, 'connect to the Docker engine');
    this.endpoint = endpoint;
    this.address = describeEndpoint(endpoint);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // dockerode's connection layer alone: the client drives it directly, and loading it without
    // the rest of dockerode shortens every engine command's start-up.
    const ModemClass = requireFromHere('docker-modem') as new (options: Record<string, unknown>) => Modem;
    this.modem =
      endpoint.kind === 'unix'
        ? new ModemClass({ socketPath: endpoint.socketPath })
        : new ModemClass({ host: endpoint.host, port: endpoint.port, protocol: 'http' });
  }

  // --- engine --------------------------------------------------------------------------------

  async ping(call?: CallOptions): Promise<void> {
    await this.request('ping the Docker engine', call, { method: 'GET', path: '/_ping' });
  }

  version(call?: CallOptions): Promise<EngineVersion> {
    return this.request('read the engine version', call, { method: 'GET', path: '/version' });
  }

  info(call?: CallOptions): Promise<EngineInfo> {
    return this.request('read the engine information', call, { method: 'GET', path: '/info' });
  }

  /**
   * Subscribes to `GET /events` (`docker events`), from `since` on. Resolves once the engine has
   * answered, so nothing that happens afterwards is missed; the iteration ends quietly when
   * `call.signal` fires, or at `until` when one is given. No time limit.
   */
  async events(
    options: { filters?: EventFilters; since?: number | string; until?: string } = {},
    call?: CallOptions,
  ): Promise<AsyncIterable<EngineEvent>> {
    const operation = 'follow the engine events';
    const stream = await this.request<Readable>(operation, { ...call, timeoutMs: call?.timeoutMs ?? 0 }, {
      method: 'GET',
      path: '/events',
      query: { filters: filtersQuery(options.filters), since: options.since, until: options.until },
      stream: true,
    });
    const address = this.address;
    const onAbort = () => stream.destroy();
    call?.signal?.addEventListener('abort', onAbort, { once: true });
    return (async function* () {
      try {
        for await (const message of jsonMessages(stream)) yield message as unknown as EngineEvent;
      } catch (err) {
        if (call?.signal?.aborted) return;
        throw toDockerError(err, operation, address);
      } finally {
        call?.signal?.removeEventListener('abort', onAbort);
        stream.destroy();
      }
    })();
  }

  // --- containers ----------------------------------------------------------------------------

  readonly containers = {
    list: (options: { all?: boolean; filters?: ListFilters } = {}, call?: CallOptions): Promise<ContainerSummary[]> =>
      this.request('list containers', call, {
        method: 'GET',
        path: '/containers/json',
        query: { all: options.all ?? false, filters: filtersQuery(options.filters) },
      }),

    create: async (
      name: string | undefined,
      body: ContainerCreateBody,
      call?: CallOptions,
    ): Promise<{ id: string; warnings: string[] }> => {
      const { platform, ...rest } = body;
      const created = await this.request<{ Id: string; Warnings?: string[] | null }>(
        `create container ${name ?? ''}`.trim(),
        call,
        { method: 'POST', path: '/containers/create', query: { name, platform }, body: rest },
      );
      return { id: created.Id, warnings: created.Warnings ?? [] };
    },

    start: async (id: string, call?: CallOptions): Promise<void> => {
      // 304: already running, which is what the caller wanted.
      await this.request(`start container ${id}`, call, { method: 'POST', path: `/containers/${enc(id)}/start` });
    },

    stop: async (id: string, options: { timeoutSeconds?: number } = {}, call?: CallOptions): Promise<void> => {
      const grace = options.timeoutSeconds;
      await this.request(
        `stop container ${id}`,
        { ...call, timeoutMs: call?.timeoutMs ?? (grace ?? 10) * 1000 + STOP_MARGIN_MS },
        { method: 'POST', path: `/containers/${enc(id)}/stop`, query: { t: grace } },
      );
    },

    restart: async (id: string, options: { timeoutSeconds?: number } = {}, call?: CallOptions): Promise<void> => {
      const grace = options.timeoutSeconds;
      await this.request(
        `restart container ${id}`,
        { ...call, timeoutMs: call?.timeoutMs ?? (grace ?? 10) * 1000 + STOP_MARGIN_MS },
        { method: 'POST', path: `/containers/${enc(id)}/restart`, query: { t: grace } },
      );
    },

    kill: async (id: string, options: { signal?: string } = {}, call?: CallOptions): Promise<void> => {
      await this.request(`kill container ${id}`, call, {
        method: 'POST',
        path: `/containers/${enc(id)}/kill`,
        query: { signal: options.signal },
      });
    },

    remove: async (id: string, options: { force?: boolean; volumes?: boolean } = {}, call?: CallOptions): Promise<void> => {
      await this.request(`remove container ${id}`, call, {
        method: 'DELETE',
        path: `/containers/${enc(id)}`,
        query: { force: options.force ?? false, v: options.volumes ?? false },
      });
    },

    rename: async (id: string, name: string, call?: CallOptions): Promise<void> => {
      await this.request(`rename container ${id} to ${name}`, call, {
        method: 'POST',
        path: `/containers/${enc(id)}/rename`,
        query: { name },
      });
    },

    inspect: (id: string, call?: CallOptions): Promise<ContainerInspect> =>
      this.request(`inspect container ${id}`, call, { method: 'GET', path: `/containers/${enc(id)}/json` }),

    /** Waits until the container stops (`not-running`) and returns its exit code. No default time limit. */
    wait: async (
      id: string,
      options: { condition?: 'not-running' | 'next-exit' | 'removed' } = {},
      call?: CallOptions,
    ): Promise<{ exitCode: number }> => {
      const result = await this.request<{ StatusCode: number; Error?: { Message?: string } | null }>(
        `wait for container ${id}`,
        { ...call, timeoutMs: call?.timeoutMs ?? 0 },
        { method: 'POST', path: `/containers/${enc(id)}/wait`, query: { condition: options.condition } },
      );
      return { exitCode: result.StatusCode };
    },

    /**
     * The container's output, line by line, stdout and stderr told apart. With `follow` it goes
     * on until the container stops or `call.signal` fires, which ends the iteration quietly.
     */
    logs: (id: string, options: LogsOptions = {}, call?: CallOptions): AsyncIterable<LogLine> =>
      this.logLines(id, options, call),

    pause: async (id: string, call?: CallOptions): Promise<void> => {
      await this.request(`pause container ${id}`, call, { method: 'POST', path: `/containers/${enc(id)}/pause` });
    },

    unpause: async (id: string, call?: CallOptions): Promise<void> => {
      await this.request(`unpause container ${id}`, call, { method: 'POST', path: `/containers/${enc(id)}/unpause` });
    },

    /** The container's processes, as `ps` inside it shows them (`docker top`). */
    top: (id: string, options: { psArgs?: string } = {}, call?: CallOptions): Promise<ContainerTop> =>
      this.request(`list the processes of container ${id}`, call, {
        method: 'GET',
        path: `/containers/${enc(id)}/top`,
        query: { ps_args: options.psArgs },
      }),

    /** A tar stream of `path` inside the container (`docker cp` out); the stream has no time limit. */
    getArchive: (id: string, path: string, call?: CallOptions): Promise<Readable> =>
      this.request(`copy ${path} out of container ${id}`, call, {
        method: 'GET',
        path: `/containers/${enc(id)}/archive`,
        query: { path },
        stream: true,
      }),

    /** Unpacks a tar stream into the directory `path` of the container (`docker cp` in). No default time limit. */
    putArchive: async (id: string, path: string, tar: NodeJS.ReadableStream, call?: CallOptions): Promise<void> => {
      await this.request(`copy into ${path} of container ${id}`, { ...call, timeoutMs: call?.timeoutMs ?? 0 }, {
        method: 'PUT',
        path: `/containers/${enc(id)}/archive`,
        query: { path, noOverwriteDirNonDir: true },
        file: tar,
      });
    },

    /**
     * The container's stdio as one hijacked connection: what is written goes to its stdin, what
     * is read is its output (multiplexed unless it has a TTY). Attach before starting it to see
     * everything it prints.
     */
    attach: (id: string, options: { stdin?: boolean } = {}, call?: CallOptions): Promise<Duplex> =>
      this.request(`attach to container ${id}`, call, {
        method: 'POST',
        path: `/containers/${enc(id)}/attach`,
        query: { stream: true, stdin: options.stdin ?? false, stdout: true, stderr: true },
        stream: true,
        hijack: true,
        statusCodes: { 101: true, 200: true, 400: 'bad parameter', 404: 'not found', 409: 'conflict', 500: 'server error' },
      }),

    /** Sets the size of the container's TTY. */
    resize: async (id: string, size: { rows: number; columns: number }, call?: CallOptions): Promise<void> => {
      await this.request(`resize the terminal of container ${id}`, call, {
        method: 'POST',
        path: `/containers/${enc(id)}/resize`,
        query: { h: size.rows, w: size.columns },
      });
    },

    /** The paths the container changed in its filesystem (`docker diff`): kind 0 modified, 1 added, 2 deleted. */
    changes: async (id: string, call?: CallOptions): Promise<ContainerChange[]> => {
      const answer = await this.request<ContainerChange[] | Buffer | null>(`list the filesystem changes of container ${id}`, call, {
        method: 'GET',
        path: `/containers/${enc(id)}/changes`,
      });
      // An unchanged container's answer is `null`, which the connection layer hands back unparsed.
      const parsed: unknown = Buffer.isBuffer(answer) ? JSON.parse(answer.toString('utf8') || 'null') : answer;
      return Array.isArray(parsed) ? (parsed as ContainerChange[]) : [];
    },

    /** One sample of the container's resource usage. */
    stats: (id: string, call?: CallOptions): Promise<ContainerStats> =>
      this.request(`read stats of container ${id}`, call, {
        method: 'GET',
        path: `/containers/${enc(id)}/stats`,
        query: { stream: false },
      }),

    /** Runs a command in a running container and collects its output. No default time limit. */
    exec: (
      id: string,
      command: string[],
      options: { env?: string[]; user?: string; workingDir?: string } = {},
      call?: CallOptions,
    ): Promise<ExecResult> => this.exec(id, command, options, call),
  };

  // --- exec instances ------------------------------------------------------------------------

  readonly execs = {
    create: async (containerId: string, body: ExecCreateBody, call?: CallOptions): Promise<{ id: string }> => {
      const created = await this.request<{ Id: string }>(`create an exec instance in container ${containerId}`, call, {
        method: 'POST',
        path: `/containers/${enc(containerId)}/exec`,
        body,
        statusCodes: { ...OK, 404: 'no such container', 409: 'container is paused or not running', 500: 'server error' },
      });
      return { id: created.Id };
    },

    /**
     * Starts the exec instance and hands back its stdio as one hijacked connection (multiplexed
     * output unless `tty`). The stream has no time limit; ending it closes the command's stdin.
     */
    start: (id: string, options: { tty: boolean }, call?: CallOptions): Promise<Duplex> =>
      this.request(`start exec instance ${id}`, call, {
        method: 'POST',
        path: `/exec/${enc(id)}/start`,
        body: { Detach: false, Tty: options.tty },
        stream: true,
        hijack: true,
        statusCodes: { 101: true, 200: true, 404: 'no such exec instance', 409: 'container is paused or not running', 500: 'server error' },
      }),

    inspect: (id: string, call?: CallOptions): Promise<ExecInspect> =>
      this.request(`inspect exec instance ${id}`, call, { method: 'GET', path: `/exec/${enc(id)}/json` }),

    resize: async (id: string, size: { rows: number; columns: number }, call?: CallOptions): Promise<void> => {
      await this.request(`resize the terminal of exec instance ${id}`, call, {
        method: 'POST',
        path: `/exec/${enc(id)}/resize`,
        query: { h: size.rows, w: size.columns },
      });
    },
  };

  // --- networks ------------------------------------------------------------------------------

  readonly networks = {
    list: (options: { filters?: ListFilters } = {}, call?: CallOptions): Promise<NetworkInspect[]> =>
      this.request('list networks', call, { method: 'GET', path: '/networks', query: { filters: filtersQuery(options.filters) } }),

    create: async (body: NetworkCreateBody, call?: CallOptions): Promise<{ id: string }> => {
      const created = await this.request<{ Id: string }>(`create network ${body.Name}`, call, {
        method: 'POST',
        path: '/networks/create',
        body: { CheckDuplicate: true, ...body },
      });
      return { id: created.Id };
    },

    inspect: (idOrName: string, call?: CallOptions): Promise<NetworkInspect> =>
      this.request(`inspect network ${idOrName}`, call, { method: 'GET', path: `/networks/${enc(idOrName)}` }),

    remove: async (idOrName: string, call?: CallOptions): Promise<void> => {
      await this.request(`remove network ${idOrName}`, call, { method: 'DELETE', path: `/networks/${enc(idOrName)}` });
    },

    connect: async (network: string, container: string, endpoint: EndpointSettings = {}, call?: CallOptions): Promise<void> => {
      await this.request(`connect container ${container} to network ${network}`, call, {
        method: 'POST',
        path: `/networks/${enc(network)}/connect`,
        body: { Container: container, EndpointConfig: endpoint },
      });
    },

    disconnect: async (network: string, container: string, options: { force?: boolean } = {}, call?: CallOptions): Promise<void> => {
      await this.request(`disconnect container ${container} from network ${network}`, call, {
        method: 'POST',
        path: `/networks/${enc(network)}/disconnect`,
        body: { Container: container, Force: options.force ?? false },
      });
    },
  };

  // --- volumes -------------------------------------------------------------------------------

  readonly volumes = {
    list: async (options: { filters?: ListFilters } = {}, call?: CallOptions): Promise<VolumeInspect[]> => {
      const listed = await this.request<{ Volumes: VolumeInspect[] | null }>('list volumes', call, {
        method: 'GET',
        path: '/volumes',
        query: { filters: filtersQuery(options.filters) },
      });
      return listed.Volumes ?? [];
    },

    create: (body: VolumeCreateBody, call?: CallOptions): Promise<VolumeInspect> =>
      this.request(`create volume ${body.Name ?? ''}`.trim(), call, { method: 'POST', path: '/volumes/create', body }),

    inspect: (name: string, call?: CallOptions): Promise<VolumeInspect> =>
      this.request(`inspect volume ${name}`, call, { method: 'GET', path: `/volumes/${enc(name)}` }),

    remove: async (name: string, options: { force?: boolean } = {}, call?: CallOptions): Promise<void> => {
      await this.request(`remove volume ${name}`, call, {
        method: 'DELETE',
        path: `/volumes/${enc(name)}`,
        query: { force: options.force ?? false },
      });
    },
  };

  // --- images --------------------------------------------------------------------------------

  readonly images = {
    list: (options: { all?: boolean; filters?: ListFilters } = {}, call?: CallOptions): Promise<ImageSummary[]> =>
      this.request('list images', call, {
        method: 'GET',
        path: '/images/json',
        query: { all: options.all ?? false, filters: filtersQuery(options.filters) },
      }),

    inspect: (ref: string, call?: CallOptions): Promise<ImageInspect> =>
      this.request(`inspect image ${ref}`, call, { method: 'GET', path: `/images/${encodeImageRef(ref)}/json` }),

    remove: async (ref: string, options: { force?: boolean } = {}, call?: CallOptions): Promise<void> => {
      await this.request(`remove image ${ref}`, call, {
        method: 'DELETE',
        path: `/images/${encodeImageRef(ref)}`,
        query: { force: options.force ?? false },
      });
    },

    /**
     * The image as `docker save` writes it (a tar of its layers and JSON), as a stream: never a
     * pull, a missing image is a not-found error. The time limit covers only the engine's answer.
     */
    export: (ref: string, call?: CallOptions): Promise<Readable> =>
      this.request<Readable>(`export image ${ref}`, call, { method: 'GET', path: `/images/${encodeImageRef(ref)}/get`, stream: true }),

    /** Pulls `ref` (`name[:tag]` or `name@digest`); the time limit covers only the registry's first answer. */
    pull: async (ref: string, options: { onProgress?: (m: ProgressMessage) => void } = {}, call?: CallOptions): Promise<void> => {
      const { name, tag } = splitImageRef(ref);
      const operation = `pull image ${ref}`;
      const stream = await this.request<Readable>(operation, call, {
        method: 'POST',
        path: '/images/create',
        query: { fromImage: name, tag },
        stream: true,
      });
      await this.followProgress(operation, stream, call, options.onProgress);
    },

    /** Builds an image from a tar stream of the context; returns the image ID. No default time limit. */
    build: async (context: NodeJS.ReadableStream, options: BuildOptions, call?: CallOptions): Promise<{ id: string }> => {
      const operation = `build image ${options.tag}`;
      const stream = await this.request<Readable>(
        operation,
        { ...call, timeoutMs: call?.timeoutMs ?? 0 },
        {
          method: 'POST',
          path: '/build',
          query: {
            t: options.tag,
            dockerfile: options.dockerfile,
            target: options.target,
            buildargs: options.buildArgs ? JSON.stringify(options.buildArgs) : undefined,
            labels: options.labels ? JSON.stringify(options.labels) : undefined,
            nocache: options.noCache,
            pull: options.pull,
            rm: true,
            forcerm: true,
          },
          file: context,
          stream: true,
        },
      );
      let id: string | undefined;
      await this.followProgress(operation, stream, call, (message) => {
        if (message.aux?.ID) id = message.aux.ID;
        const built = /^Successfully built ([0-9a-f]+)/.exec(message.stream ?? '');
        if (built && !id) id = built[1];
        options.onProgress?.(message);
      });
      if (id) return { id };
      return { id: (await this.images.inspect(options.tag, call)).Id };
    },

    /** Creates an image from a root file system tar (`docker import`); returns the image ID. */
    import: async (tar: NodeJS.ReadableStream, options: ImportOptions, call?: CallOptions): Promise<{ id: string }> => {
      const ref = `${options.repo}:${options.tag ?? 'latest'}`;
      const operation = `import image ${ref}`;
      const stream = await this.request<Readable>(operation, call, {
        method: 'POST',
        path: '/images/create',
        query: { fromSrc: '-', repo: options.repo, tag: options.tag ?? 'latest', changes: options.changes },
        file: tar,
        stream: true,
      });
      let id: string | undefined;
      await this.followProgress(operation, stream, call, (message) => {
        if (message.status?.startsWith('sha256:')) id = message.status;
      });
      return { id: id ?? (await this.images.inspect(ref, call)).Id };
    },
  };

  // --- plumbing ------------------------------------------------------------------------------

  private request<T>(operation: string, call: CallOptions | undefined, req: Request): Promise<T> {
    return runCall({ operation, endpoint: this.address }, call, this.timeoutMs, (signal) => this.dial<T>(req, signal));
  }

  private dial<T>(req: Request, signal: AbortSignal): Promise<T> {
    const query: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query[k] = v;
    return new Promise<T>((resolve, reject) => {
      this.modem.dial(
        {
          path: `${req.path}?`,
          method: req.method,
          // docker-modem takes the query and the JSON body from one object unless they are given
          // apart; an empty body is not sent at all (`/start` refuses a body).
          options: { _query: query, _body: req.body ?? {} },
          file: req.file,
          isStream: req.stream ?? false,
          hijack: req.hijack ?? false,
          statusCodes: req.statusCodes ?? { ...OK, 400: 'bad parameter', 404: 'not found', 409: 'conflict', 500: 'server error' },
          abortSignal: signal,
        },
        (err, data) => (err ? reject(err) : resolve(data as T)),
      );
    });
  }

  private async followProgress(
    operation: string,
    stream: Readable,
    call: CallOptions | undefined,
    onMessage: ((m: ProgressMessage) => void) | undefined,
  ): Promise<void> {
    try {
      for await (const message of jsonMessages(stream)) {
        const error = messageError(message);
        if (error) throw new DockerApiError(operation, message.errorDetail?.code ?? 500, error.trim());
        onMessage?.(message);
      }
    } catch (err) {
      if (call?.signal?.aborted) throw new DockerAbortError(operation);
      throw toDockerError(err, operation, this.address);
    } finally {
      stream.destroy();
    }
  }

  private async *logLines(id: string, options: LogsOptions, call: CallOptions | undefined): AsyncGenerator<LogLine> {
    const tty = options.tty ?? (await this.containers.inspect(id, call)).Config.Tty;
    const operation = `read logs of container ${id}`;
    let stream: Readable;
    try {
      stream = await this.request<Readable>(operation, call, {
        method: 'GET',
        path: `/containers/${enc(id)}/logs`,
        query: {
          follow: options.follow ?? false,
          stdout: true,
          stderr: true,
          tail: options.tail === undefined ? undefined : String(options.tail),
          since: options.since,
          timestamps: options.timestamps ?? false,
        },
        stream: true,
      });
    } catch (err) {
      if (err instanceof DockerAbortError) return;
      throw err;
    }
    try {
      // Lines already received when the signal fires are not handed out any more.
      for await (const line of logLines(stream, tty)) {
        if (call?.signal?.aborted) return;
        yield line;
      }
    } catch (err) {
      if (call?.signal?.aborted) return;
      throw toDockerError(err, operation, this.address);
    } finally {
      stream.destroy();
    }
  }

  private async exec(
    id: string,
    command: string[],
    options: { env?: string[]; user?: string; workingDir?: string },
    call: CallOptions | undefined,
  ): Promise<ExecResult> {
    const operation = `run ${JSON.stringify(command.join(' '))} in container ${id}`;
    const created = await this.request<{ Id: string }>(operation, call, {
      method: 'POST',
      path: `/containers/${enc(id)}/exec`,
      body: {
        Cmd: command,
        Env: options.env,
        User: options.user,
        WorkingDir: options.workingDir,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      },
    });
    const unlimited = { ...call, timeoutMs: call?.timeoutMs ?? 0 };
    const stream = await this.request<Readable>(operation, unlimited, {
      method: 'POST',
      path: `/exec/${enc(created.Id)}/start`,
      body: { Detach: false, Tty: false },
      stream: true,
      hijack: true,
      statusCodes: { 101: true, 200: true, 404: 'no such exec', 409: 'container is paused or not running', 500: 'server error' },
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    try {
      for await (const { stream: which, line } of logLines(stream, false)) (which === 'stderr' ? stderr : stdout).push(line);
    } catch (err) {
      if (call?.signal?.aborted) throw new DockerAbortError(operation);
      throw toDockerError(err, operation, this.address);
    } finally {
      stream.destroy();
    }
    const inspected = await this.request<{ ExitCode: number | null }>(operation, call, {
      method: 'GET',
      path: `/exec/${enc(created.Id)}/json`,
    });
    return { exitCode: inspected.ExitCode ?? -1, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** Image references keep their `/` (the engine routes `/images/{name}/json` on the whole name). */
function encodeImageRef(ref: string): string {
  return ref.split('/').map(encodeURIComponent).join('/');
}

function filtersQuery(filters: ListFilters | EventFilters | undefined): string | undefined {
  if (!filters) return undefined;
  const present = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v.length > 0));
  return Object.keys(present).length > 0 ? JSON.stringify(present) : undefined;
}

/** `registry:5000/name:tag` → name `registry:5000/name`, tag `tag`; digests stay in the name. */
export function splitImageRef(ref: string): { name: string; tag?: string } {
  if (ref.includes('@')) return { name: ref };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref, tag: 'latest' };
}
