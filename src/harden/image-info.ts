import type { ImageFacts } from '../analyze/index.js';
import type { Service } from '../compose/index.js';
import type { ImageInfo } from './types.js';

/**
 * Official images whose entrypoint reads `<VAR>_FILE` for its settings (the `file_env` helper of
 * the docker-library images), by the last part of the repository name.
 */
const FILE_ENV_IMAGES = new Set(['postgres', 'postgis', 'timescaledb', 'mysql', 'mariadb', 'mongo', 'wordpress', 'nextcloud', 'drupal', 'joomla']);

function repositoryName(image: string | undefined): string {
  if (typeof image !== 'string') return '';
  const withoutDigest = image.split('@')[0]!;
  const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  return lastPart.split(':')[0]!.toLowerCase();
}

/** What the analyzer's facts say about a service's image, in harden's terms. */
export function imageInfoFromFacts(service: Service, facts: ImageFacts | undefined): ImageInfo {
  return {
    ...(facts?.user ? { user: { name: facts.user.name, root: facts.user.root } } : {}),
    dropsPrivileges: facts?.dropsPrivileges ?? false,
    ...(facts?.healthcheck !== undefined ? { healthcheck: facts.healthcheck } : {}),
    tools: { ...(facts?.tools ?? {}) },
    exposedPorts: [],
    fileVariables: FILE_ENV_IMAGES.has(repositoryName(service.image)) ? 'all' : new Set(),
  };
}

/** What the engine saw wins over what the files imply; what it could not see keeps the facts' value. */
export function mergeImageInfo(facts: ImageInfo, seen: Partial<ImageInfo>): ImageInfo {
  const files = seen.fileVariables;
  return {
    ...facts,
    ...seen,
    dropsPrivileges: facts.dropsPrivileges || seen.dropsPrivileges === true,
    tools: { ...facts.tools, ...seen.tools },
    exposedPorts: [...new Set([...facts.exposedPorts, ...(seen.exposedPorts ?? [])])],
    fileVariables: facts.fileVariables === 'all' || files === 'all' ? 'all' : new Set([...facts.fileVariables, ...(files ?? [])]),
  };
}
