import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { bindsAllInterfaces, hostSide, isLoopback, publishedPorts, repositoryOf } from '../../facts/index.js';

/**
 * Images of databases, caches and brokers, by the last part of their repository name. A name may
 * carry one of VARIANTS as a suffix (`bitnami/mongodb-sharded`, `redis-stack-server`), but not
 * any suffix: `mongo-express`, `redis-commander` or `postgres-exporter` are not databases.
 */
const DATABASE_NAMES = new Set(
  (
    'postgres postgresql postgis timescaledb pgvector mysql mariadb percona percona-server mongo mongodb ' +
    'percona-server-mongodb redis redismod redis-stack valkey keydb dragonfly memcached elasticsearch opensearch ' +
    'cassandra scylla couchdb couchbase neo4j memgraph influxdb clickhouse clickhouse-server rabbitmq kafka ' +
    'cp-kafka cp-server cp-zookeeper zookeeper etcd mssql-server-linux azure-sql-edge oracle-xe oracle-free dgraph ' +
    'cockroach arangodb questdb surrealdb rethinkdb orientdb ravendb redpanda pulsar activemq artemis yugabyte ' +
    'qdrant milvus weaviate chroma pgbouncer pgcat pgpool pgpool2 supavisor odyssey minio loki prometheus ' +
    'victoria-metrics victoriametrics mimir thanos'
  ).split(' '),
);
const VARIANTS = new Set(['server', 'stack', 'stack-server', 'cluster', 'sharded', 'repmgr', 'ha', 'enterprise', 'community', 'community-server', 'enterprise-server', 'oss', 'ce', 'ee', 'xe', 'free']);
/** Databases whose repository's last part is too generic to tell (`mssql/server`). */
const DATABASE_REPOSITORIES = [/^mcr\.microsoft\.com\/mssql\//, /^container-registry\.oracle\.com\/database\//, /^dgraph\//, /^gvenzl\/oracle-/];

/** Well-known ports of databases, caches and brokers, so that a locally built one is found too. */
const DATABASE_PORTS: Record<number, string> = {
  1433: 'SQL Server',
  1521: 'Oracle',
  2181: 'ZooKeeper',
  2379: 'etcd',
  3306: 'MySQL/MariaDB',
  5432: 'PostgreSQL',
  6432: 'PgBouncer',
  6543: 'Supavisor (PostgreSQL pooler)',
  8123: 'ClickHouse HTTP',
  9009: 'ClickHouse interserver',
  3100: 'Loki',
  9090: 'Prometheus',
  15672: 'RabbitMQ management',
  5672: 'AMQP (RabbitMQ)',
  5984: 'CouchDB',
  6379: 'Redis',
  7474: 'Neo4j HTTP',
  7687: 'Neo4j Bolt',
  8086: 'InfluxDB',
  8529: 'ArangoDB',
  9042: 'Cassandra',
  9092: 'Kafka',
  9200: 'Elasticsearch/OpenSearch',
  9300: 'Elasticsearch transport',
  11211: 'Memcached',
  26257: 'CockroachDB',
  27017: 'MongoDB',
  27018: 'MongoDB',
  27019: 'MongoDB',
  28015: 'RethinkDB',
  33060: 'MySQL X protocol',
};

function isDatabaseImage(image: string): boolean {
  const repo = repositoryOf(image);
  if (DATABASE_REPOSITORIES.some((r) => r.test(repo))) return true;
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  if (DATABASE_NAMES.has(last)) return true;
  for (const name of DATABASE_NAMES) {
    if (last.startsWith(`${name}-`) && VARIANTS.has(last.slice(name.length + 1))) return true;
  }
  return false;
}

export default createRule({
  id: 'exposed-database-port',
  severity: 'high',
  category: 'security',
  docs: {
    summary: 'A database, cache or message broker publishes its port on a non-loopback host interface.',
    why:
      'Databases, caches and brokers are built to be reached by the application, not by the network: their ' +
      'authentication is often a default or missing (Redis, Memcached, Elasticsearch), and they are scanned ' +
      'for around the clock. Publishing the port makes the data reachable from every network the host is on, ' +
      'and Docker\'s iptables rules put it in front of host firewalls such as ufw. The other services of the ' +
      'project do not need it published: they reach the database by its service name on the compose network.',
    fix:
      'Remove the `ports:` entry. To connect from the host (a local client, a migration), publish on ' +
      'loopback only: `127.0.0.1:5432:5432`, or use `docker compose exec`.',
    example: 'services:\n  db:\n    image: postgres:16\n    ports:\n      - "5432:5432"\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      const image = typeof service.image === 'string' ? service.image : undefined;
      const databaseImage = image !== undefined && isDatabaseImage(image);
      for (const { index, port } of publishedPorts(service, ctx.project)) {
        if (isLoopback(port.host_ip)) continue;
        const known = DATABASE_PORTS[port.target];
        if (!databaseImage && !known) continue;
        const what = known ? `${known} port ${port.target}` : `port ${port.target} of ${image ?? 'its database image'}`;
        const where = bindsAllInterfaces(port) ? 'every host interface' : `host address ${port.host_ip ?? ''}`;
        findings.push({
          path: ['services', name, 'ports', index],
          message: `service "${name}" publishes ${what} on ${where} (${hostSide(port)}): other machines can reach the data store directly`,
          fix: `remove this port mapping (other services reach "${name}" by name on the compose network); to reach it from the host, publish on loopback: "127.0.0.1:${port.published ?? port.target}:${port.target}"`,
        });
      }
    }
    return findings;
  },
});
