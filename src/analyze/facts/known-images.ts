/**
 * What Shipshape knows about registry images without pulling them: a small table of well-known
 * official images (docs/facts.md). Anything else is unknown, and rules say so rather than guess.
 */

/** The programs health checks usually run. */
export type Tool = 'sh' | 'bash' | 'curl' | 'wget';
export type Tools = Partial<Record<Tool, boolean>>;

export interface KnownImage {
  /** The user the image runs as without `user:`: `root`, a name or a UID. */
  user: string;
  /** The unprivileged user its entrypoint switches to (gosu, su-exec, s6) before starting the server. */
  dropsTo?: string;
  /** Whether its configuration declares a HEALTHCHECK. */
  healthcheck: boolean;
  /** What it holds of the usual health-check programs; a tool left out is unknown. */
  tools?: Tools;
}

const NOTHING: Tools = { sh: false, bash: false, curl: false, wget: false };
/** BusyBox userland: `sh` and `wget` applets, no curl, no bash. */
const BUSYBOX: Tools = { sh: true, bash: false, curl: false, wget: true };
/** Debian and Ubuntu base images and the `-slim` variants: a shell, neither curl nor wget. */
const DEBIAN_BARE: Tools = { sh: true, bash: true, curl: false, wget: false };

const root = (extra: Partial<KnownImage> = {}): KnownImage => ({ user: 'root', healthcheck: false, ...extra });
const drops = (user: string): KnownImage => ({ user: 'root', dropsTo: user, healthcheck: false });
const runsAs = (user: string, extra: Partial<KnownImage> = {}): KnownImage => ({ user, healthcheck: false, ...extra });

/** Official and vendor images, by repository (no `docker.io/library/` prefix, lower case). */
const TABLE: Record<string, KnownImage> = {
  // Data stores whose entrypoint starts as root and switches to its own user (gosu / su-exec).
  postgres: drops('postgres'),
  mysql: drops('mysql'),
  mariadb: drops('mysql'),
  redis: drops('redis'),
  valkey: drops('valkey'),
  mongo: drops('mongodb'),
  rabbitmq: drops('rabbitmq'),
  cassandra: drops('cassandra'),
  couchdb: drops('couchdb'),
  neo4j: drops('neo4j'),
  influxdb: drops('influxdb'),
  zookeeper: drops('zookeeper'),
  'eclipse-mosquitto': drops('mosquitto'),
  'gitea/gitea': drops('git'),
  'plexinc/pms-docker': { user: 'root', dropsTo: 'plex', healthcheck: true },
  // Images that run as root.
  nginx: root(),
  httpd: root(),
  traefik: root(),
  caddy: root(),
  wordpress: root(),
  nextcloud: root(),
  php: root(),
  node: root(),
  python: root(),
  golang: root(),
  ruby: root(),
  alpine: root({ tools: BUSYBOX }),
  busybox: root({ tools: BUSYBOX }),
  debian: root({ tools: DEBIAN_BARE }),
  ubuntu: root({ tools: DEBIAN_BARE }),
  scratch: root({ tools: NOTHING }),
  'portainer/portainer': root(),
  'portainer/portainer-ce': root(),
  'minio/minio': root(),
  'pihole/pihole': root({ healthcheck: true }),
  'vaultwarden/server': root({ healthcheck: true }),
  'gitlab/gitlab-ce': root({ healthcheck: true }),
  'gitlab/gitlab-ee': root({ healthcheck: true }),
  'jellyfin/jellyfin': root({ healthcheck: true }),
  'louislam/uptime-kuma': root({ healthcheck: true }),
  // Images whose configuration sets a non-root USER.
  'grafana/grafana': runsAs('grafana'),
  'grafana/grafana-oss': runsAs('grafana'),
  'grafana/grafana-enterprise': runsAs('grafana'),
  'grafana/loki': runsAs('loki'),
  'grafana/tempo': runsAs('tempo'),
  'prom/prometheus': runsAs('nobody'),
  'prom/alertmanager': runsAs('nobody'),
  'prom/node-exporter': runsAs('nobody'),
  'prom/pushgateway': runsAs('nobody'),
  'prom/blackbox-exporter': runsAs('nobody'),
  'quay.io/prometheus/prometheus': runsAs('nobody'),
  'quay.io/prometheus/alertmanager': runsAs('nobody'),
  'quay.io/prometheus/node-exporter': runsAs('nobody'),
  elasticsearch: runsAs('elasticsearch'),
  kibana: runsAs('kibana'),
  logstash: runsAs('logstash'),
  'opensearchproject/opensearch': runsAs('opensearch'),
  'opensearchproject/opensearch-dashboards': runsAs('opensearch-dashboards'),
  'jenkins/jenkins': runsAs('jenkins'),
  'sonatype/nexus3': runsAs('nexus'),
  sonarqube: runsAs('sonarqube'),
  'quay.io/keycloak/keycloak': runsAs('keycloak'),
  'keycloak/keycloak': runsAs('keycloak'),
  haproxy: runsAs('haproxy'),
  memcached: runsAs('memcache'),
  adminer: runsAs('adminer'),
  'dpage/pgadmin4': runsAs('pgadmin'),
  'apache/kafka': runsAs('appuser'),
  // Redpanda's images run as the redpanda user (UID 101) since v22.
  'docker.redpanda.com/vectorized/redpanda': runsAs('redpanda'),
  'docker.redpanda.com/redpandadata/redpanda': runsAs('redpanda'),
  'vectorized/redpanda': runsAs('redpanda'),
  'redpandadata/redpanda': runsAs('redpanda'),
  'mailhog/mailhog': runsAs('mailhog'),
  'cloudflare/cloudflared': runsAs('nonroot'),
  'nginxinc/nginx-unprivileged': runsAs('nginx'),
  'otel/opentelemetry-collector': runsAs('10001'),
  'otel/opentelemetry-collector-contrib': runsAs('10001'),
  'mcr.microsoft.com/azure-sql-edge': runsAs('mssql'),
};

/** Vendors whose images all run as a non-root user, with their exceptions. */
const NON_ROOT_PREFIXES = ['docker.elastic.co/', 'bitnami/', 'cgr.dev/chainguard/', 'confluentinc/cp-', 'jupyter/', 'quay.io/jupyter/'];
const ROOT_EXCEPTIONS = new Set(['bitnami/minideb', 'cgr.dev/chainguard/wolfi-base']);
/** linuxserver.io images start as root under s6 and run the application as `abc` (PUID/PGID). */
const LINUXSERVER = /^(lscr\.io\/)?linuxserver\//;

export interface ImageRef {
  /** Registry and repository, e.g. `docker.io/library/nginx` is kept as written: `nginx`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits an image reference; a `:` after the last `/` is a tag, not a registry port. */
export function parseImage(image: string): ImageRef {
  const [nameAndTag, digest] = image.split('@', 2) as [string, string | undefined];
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  if (colon > slash) return { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
  return { repository: nameAndTag, digest };
}

/** The repository path in lower case, without a `docker.io/library/` style prefix. */
export function repositoryOf(image: string): string {
  return parseImage(image.trim()).repository.toLowerCase().replace(/^(docker\.io\/|index\.docker\.io\/)?(library\/)?/, '');
}

/** What the table knows of a registry image; undefined when the image is not one it knows. */
export function knownImage(image: string): KnownImage | undefined {
  const repo = repositoryOf(image);
  const tag = (parseImage(image.trim()).tag ?? 'latest').toLowerCase();
  const tools = bareTools(repo, tag);
  if (ROOT_EXCEPTIONS.has(repo)) return root({ tools });
  // Distroless and Chainguard-style `nonroot` tags, and the `rootless` variants (gitea, docker:dind-rootless).
  if (/(^|[-_.])(nonroot|rootless)($|[-_.])/.test(tag)) return runsAs('nonroot', { tools });
  if (repo.startsWith('gcr.io/distroless/')) return root({ tools });
  // SQL Server runs as the mssql user since 2019; the 2017 images still run as root.
  if (repo === 'mcr.microsoft.com/mssql/server') return tag.startsWith('2017') ? root() : runsAs('mssql');
  const known = TABLE[repo];
  if (known) return tools ? { ...known, tools } : known;
  if (NON_ROOT_PREFIXES.some((p) => repo.startsWith(p))) return runsAs('non-root', { tools });
  if (LINUXSERVER.test(repo)) return drops('abc');
  return tools ? root({ tools }) : undefined;
}

/**
 * Bare images whose variants are known well enough to say what they lack. Others (nginx, php,
 * full `node:20` or `python:3.12`, which ship curl and wget) stay unknown.
 */
function bareTools(repo: string, tag: string): Tools | undefined {
  const name = repo.slice(repo.lastIndexOf('/') + 1);
  if (repo === 'scratch') return NOTHING;
  if (repo.includes('distroless')) return tag.startsWith('debug') || tag.includes('-debug') ? BUSYBOX : NOTHING;
  if (/^cgr\.dev\/chainguard\/(static|glibc-dynamic)$/.test(repo)) return tag.includes('-dev') ? undefined : NOTHING;
  if (repo === 'alpine' || repo === 'busybox') return BUSYBOX;
  if (repo === 'debian' || repo === 'ubuntu') return DEBIAN_BARE;
  if (['node', 'python', 'golang', 'redis', 'postgres'].includes(name) && name === repo) {
    if (tag.includes('alpine')) return BUSYBOX;
    if (tag.includes('slim') || name === 'redis' || name === 'postgres') return DEBIAN_BARE;
  }
  return undefined;
}
