import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/exposed-database-port.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('exposed-database-port', () => {
  it('valid: unpublished or loopback-only databases, admin UIs, and the host network (ignored-ports)', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  db:',
        '    image: postgres:16',
        '    expose: ["5432"]',
        '  cache:',
        '    image: redis:7.4',
        '    ports: ["127.0.0.1:6379:6379", "[::1]:6380:6379"]',
        '  ui:',
        '    image: mongo-express:1.0.2',
        '    ports: ["8081:8081"]',
        '  web:',
        '    image: nginx:1.27',
        '    ports: ["8080:80"]',
        '  hostdb:',
        '    image: mysql:8.4',
        '    network_mode: host',
        '    ports: ["3306:3306"]',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('valid: a service only on internal networks publishes nothing (moby#36174)', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  db:',
        '    image: postgres:16',
        '    ports: ["5432:5432"]',
        '    networks: [backend]',
        'networks:',
        '  backend:',
        '    internal: true',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: database images and well-known database ports on a non-loopback interface, at the port', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  db:',
        '    image: postgres:16',
        '    ports:',
        '      - "5432:5432"',
        '  mq:',
        '    image: rabbitmq:3.13-management',
        '    ports:',
        '      - target: 15672',
        '        published: "15672"',
        '        host_ip: 192.168.1.10',
        '  custom:',
        '    build: ./mysql',
        '    ports: ["3307:3306"]',
        '  shard:',
        '    image: bitnami/mongodb-sharded:7.0',
        '    ports: ["27017"]',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:9:9', 'compose.yaml:14:13', 'compose.yaml:17:13']);
    assert.deepEqual(findings.map((f) => f.message), [
      'service "db" publishes PostgreSQL port 5432 on every host interface (0.0.0.0:5432): other machines can reach the data store directly',
      'service "mq" publishes RabbitMQ management port 15672 on host address 192.168.1.10 (192.168.1.10:15672): other machines can reach the data store directly',
      'service "custom" publishes MySQL/MariaDB port 3306 on every host interface (0.0.0.0:3307): other machines can reach the data store directly',
      'service "shard" publishes MongoDB port 27017 on every host interface (0.0.0.0:<random port>): other machines can reach the data store directly',
    ]);
    assert.equal(
      findings[0]!.fix,
      'remove this port mapping (other services reach "db" by name on the compose network); to reach it from the host, publish on loopback: "127.0.0.1:5432:5432"',
    );
    assert.ok(findings.every((f) => f.severity === 'high'));
  });

  it('invalid: poolers, object stores, ClickHouse and the metrics and log stores, by image and by port', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  pooler:',
        '    image: supabase/supavisor:1.1.56',
        '    ports: ["6543:6543"]',
        '  s3:',
        '    image: minio/minio:RELEASE.2024-06-13T22-53-53Z',
        '    ports: ["9000:9000"]',
        '  olap:',
        '    image: example/analytics:1.0',
        '    ports: ["8123:8123"]',
        '  logs:',
        '    image: grafana/loki:3.1.0',
        '    ports: ["3100:3100"]',
        '  metrics:',
        '    image: prom/prometheus:v2.53.0',
        '    ports: ["127.0.0.1:9090:9090"]',
      ),
    };
    const found = runRule(rule, { files });
    assert.deepEqual(places(found), ['compose.yaml:4:13', 'compose.yaml:7:13', 'compose.yaml:10:13', 'compose.yaml:13:13']);
    assert.match(found[0]!.message, /Supavisor/);
    assert.match(found[2]!.message, /ClickHouse/);
  });
});
