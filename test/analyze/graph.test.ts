import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildGraph,
  configTextTargets,
  environmentTargets,
  nginxTargets,
  prometheusTargets,
  urlTargets,
} from '../../src/analyze/graph.js';
import { serviceGraph } from '../../src/compose/index.js';
import { buildInventory } from '../../src/analyze/inventory.js';
import type { GraphEdge } from '../../src/analyze/report-types.js';
import { fixturePath } from '../helpers/fixtures.js';
import { yaml } from '../helpers/tmp.js';
import { contextOf, contextOfDir } from './project-context.js';

const edge = (e: GraphEdge): string => `${e.from}->${e.to} ${e.kind}${e.port === null ? '' : `:${e.port}`}`;
const edgesOf = (files: Record<string, string>): string[] => buildGraph(contextOf(files)).edges.map(edge);

describe('startup order', () => {
  it('puts services whose dependencies are up in one level, sorted', () => {
    const ctx = contextOf({
      'compose.yaml': yaml`
        services:
          web: {image: x:1, depends_on: [api]}
          api: {image: x:1, depends_on: {db: {condition: service_healthy}, cache: {condition: service_started}}}
          worker: {image: x:1, depends_on: [db]}
          cache: {image: x:1}
          db: {image: x:1}
          docs: {image: x:1}
      `,
    });
    assert.deepEqual(buildGraph(ctx).startup_order, [['cache', 'db', 'docs'], ['api', 'worker'], ['web']]);
  });

  it('puts a cycle, and what waits on it, in a last level', () => {
    const ctx = contextOf({
      'compose.yaml': yaml`
        services:
          a: {image: x:1, depends_on: [b]}
          b: {image: x:1, depends_on: [a]}
          c: {image: x:1, depends_on: [a]}
          d: {image: x:1}
          e: {image: x:1, depends_on: [d]}
      `,
    });
    assert.deepEqual(serviceGraph(ctx.project).levels, [['d'], ['e'], ['a', 'b', 'c']]);
  });

  it('waits for what compose adds by itself: links, volumes_from, service network namespaces', () => {
    const ctx = contextOf({
      'compose.yaml': yaml`
        services:
          vpn: {image: x:1}
          app: {image: x:1, network_mode: "service:vpn"}
          data: {image: x:1}
          backup: {image: x:1, volumes_from: ["data:ro"]}
          legacy: {image: x:1, links: ["app:application"]}
      `,
    });
    const graph = buildGraph(ctx);
    assert.deepEqual(graph.startup_order, [['data', 'vpn'], ['app', 'backup'], ['legacy']]);
    assert.deepEqual(graph.edges.map(edge), ['app->vpn depends_on', 'backup->data depends_on', 'legacy->app depends_on']);
  });

  it('ignores dependencies on services outside the project', () => {
    const ctx = contextOf({ 'compose.yaml': 'services:\n  a: {image: x:1, depends_on: [ghost]}\n' });
    const graph = buildGraph(ctx);
    assert.deepEqual(graph.startup_order, [['a']]);
    assert.deepEqual(graph.edges, []);
  });
});

describe('edges from the environment', () => {
  it('reads URLs of every scheme, with the scheme’s default port when none is written', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          app:
            image: x:1
            environment:
              API_URL: http://api:8000/v1
              SECURE_API: https://api
              DATABASE_URL: postgres://u:p@db:5432/x
              CACHE_URL: redis://cache
              BROKER_URL: amqp://guest:guest@mq/vhost
              MONGO_URL: mongodb://root:pw@mongo1:27017,mongo2:27018/app?replicaSet=rs0
              JAVA_OPTS: -Dspring.datasource.url=jdbc:mysql://mysql/app
              ASYNC_DB: postgresql+asyncpg://db/app
              EXTERNAL: https://api.github.com/repos
          api: {image: x:1}
          db: {image: x:1}
          cache: {image: x:1}
          mq: {image: x:1}
          mongo1: {image: x:1}
          mongo2: {image: x:1}
          mysql: {image: x:1}
      `,
    });
    assert.deepEqual(edges, [
      'app->api env-url:443',
      'app->api env-url:8000',
      'app->cache env-url:6379',
      'app->db env-url:5432',
      'app->mongo1 env-url:27017',
      'app->mongo2 env-url:27018',
      'app->mq env-url:5672',
      'app->mysql env-url:3306',
    ]);
  });

  it('reads host:port values and host variables with their port variable', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          app:
            image: x:1
            environment:
              CACHE: cache:6379
              KAFKA_BROKERS: kafka1:9092,kafka2:9092
              DB_HOST: db
              DB_PORT: "5432"
              searchHost: search
              searchPort: "9200"
              WORDPRESS_DB_HOST: mysql
              HOSTNAME: web
              TZ: Europe/Berlin
              RATIO: "16:9"
              MODE: db
              UPSTREAM: example.com:443
          cache: {image: x:1}
          kafka1: {image: x:1}
          kafka2: {image: x:1}
          db: {image: x:1}
          search: {image: x:1}
          mysql: {image: x:1}
          web: {image: x:1}
      `,
    });
    assert.deepEqual(edges, [
      'app->cache env-url:6379',
      'app->db env-url:5432',
      'app->kafka1 env-url:9092',
      'app->kafka2 env-url:9092',
      'app->mysql env-url',
      'app->search env-url:9200',
    ]);
  });

  it('resolves container names, network aliases and link aliases, never to the service itself', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          app:
            image: x:1
            links: ["legacy:old-db"]
            environment:
              A: http://the-api:8000
              B: redis://sessions:6379
              C: http://old-db:5000
              SELF: http://app:3000
              ME: http://me:3000
            networks: {default: {aliases: [me]}}
          api: {image: x:1, container_name: the-api}
          redis:
            image: redis:7
            networks: {default: {aliases: [sessions]}}
          legacy: {image: x:1}
      `,
    });
    assert.deepEqual(edges, ['app->api env-url:8000', 'app->legacy depends_on', 'app->legacy env-url:5000', 'app->redis env-url:6379']);
  });

  it('keeps one edge per link, dropping the port-less one when the port is known', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          app:
            image: x:1
            depends_on: [db]
            environment:
              DB_HOST: db
              DATABASE_URL: postgres://db:5432/app
              REPLICA_URL: postgres://db:5432/replica
          db: {image: x:1}
      `,
    });
    assert.deepEqual(edges, ['app->db depends_on', 'app->db env-url:5432']);
  });

  it('parses the pieces alone', () => {
    assert.deepEqual(urlTargets('mongodb://a,b:1/x'), [{ host: 'a', port: 27017 }, { host: 'b', port: 1 }]);
    assert.deepEqual(urlTargets('http://[::1]:8080/ http://api:${PORT}/'), [{ host: '::1', port: 8080 }]);
    assert.deepEqual(environmentTargets({ X: 'api:99999', Y: null }), []);
  });
});

describe('edges from mounted config files', () => {
  it('reads nginx upstreams and every *_pass directive', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          proxy:
            image: nginx:1.27
            volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
          api: {image: x:1}
          worker: {image: x:1}
          php: {image: x:1}
          py: {image: x:1}
          grpcsvc: {image: x:1}
          lazy: {image: x:1}
          old: {image: x:1}
          ws: {image: x:1}
      `,
      'nginx.conf': `
events {}
http {
  upstream api {            # same name as the service: proxy_pass api means these servers
    server api:8000 weight=3;
    server worker;
    server unix:/tmp/sock;
  }
  server {
    listen 80;
    location / { proxy_pass http://api; }
    location /ws { proxy_pass "http://ws:9001/socket"; }
    location ~ \\.php$ { fastcgi_pass php:9000; }
    location /py { uwsgi_pass uwsgi://py:3031; }
    location /rpc { grpc_pass grpc://grpcsvc:50051; }
    # location /old { proxy_pass http://old:1; }
    location /lazy {
      resolver 127.0.0.11;
      set $target http://lazy:7000;
      proxy_pass $target;
    }
    location /ext { proxy_pass https://example.com; }
  }
}
`,
    });
    assert.deepEqual(edges, [
      'proxy->api config-file:8000',
      'proxy->grpcsvc config-file:50051',
      'proxy->lazy config-file:7000',
      'proxy->php config-file:9000',
      'proxy->py config-file:3031',
      'proxy->worker config-file:80',
      'proxy->ws config-file:9001',
    ]);
  });

  it('reads a mounted conf.d directory and fills templates from the environment', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          proxy:
            image: nginx:1.27
            environment: {BACKEND: "api:8000"}
            volumes:
              - ./nginx/conf.d:/etc/nginx/conf.d:ro
              - ./nginx/templates:/etc/nginx/templates:ro
          api: {image: x:1}
          admin: {image: x:1}
      `,
      'nginx/conf.d/admin.conf': 'server { location / { proxy_pass http://admin:3000; } }\n',
      'nginx/conf.d/README': 'nothing here\n',
      'nginx/templates/default.conf.template': 'server { location / { proxy_pass http://${BACKEND}; } }\n',
    });
    assert.deepEqual(edges, ['proxy->admin config-file:3000', 'proxy->api env-url:8000', 'proxy->api config-file:8000']);
  });

  it('knows the upstreams of nginx.conf in the conf.d files it includes (seed 001)', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          nginx:
            image: nginx:1.25.3-alpine
            volumes:
              - ./docker/nginx/nginx.conf:/etc/nginx/nginx.conf:ro
              - ./docker/nginx/conf.d:/etc/nginx/conf.d:ro
          app: {image: x:1}
      `,
      'docker/nginx/nginx.conf': 'events {}\nhttp {\n  upstream app { server app:8000; }\n  include /etc/nginx/conf.d/*.conf;\n}\n',
      'docker/nginx/conf.d/default.conf': 'server {\n  listen 443 ssl;\n  location / { proxy_pass http://app; }\n}\n',
    });
    assert.deepEqual(edges, ['nginx->app config-file:8000']);
  });

  it('follows nginx includes through the mounts: relative to /etc/nginx, globs, includes of includes', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          proxy:
            image: nginx:1.27
            volumes:
              - ./nginx:/etc/nginx:ro
              - ./shared/snippets:/opt/snippets:ro
          app: {image: x:1}
          api: {image: x:1}
          admin: {image: x:1}
          hidden: {image: x:1}
      `,
      'nginx/nginx.conf': 'http {\n  include mime.types;\n  include sites/*.site;\n  upstream app { server app:8000; }\n}\n',
      'nginx/sites/main.site': 'server {\n  location / { proxy_pass http://app; }\n  include /opt/snippets/admin;\n}\n',
      'nginx/sites/.old.site': 'server { location / { proxy_pass http://hidden:1; } }\n',
      'shared/snippets/admin': 'location /admin { proxy_pass http://admin:3000; }\nlocation /api { proxy_pass http://api:9000; }\n',
    });
    assert.deepEqual(edges, ['proxy->admin config-file:3000', 'proxy->api config-file:9000', 'proxy->app config-file:8000']);
  });

  it('does not search an application source tree that happens to hold an nginx config', () => {
    const edges = edgesOf({
      'compose.yaml': 'services:\n  app:\n    image: python:3.12\n    volumes: [".:/app"]\n  api: {image: x:1}\n',
      'deploy/nginx.conf': 'server { location / { proxy_pass http://api:8000; } }\n',
    });
    assert.deepEqual(edges, []);
  });

  it('never reads logs, web roots or data files, even of an nginx service', () => {
    const ctx = contextOf({
      'compose.yaml': yaml`
        services:
          proxy:
            image: nginx:1.27
            volumes:
              - ./logs:/var/log/nginx
              - ./site:/usr/share/nginx/html:ro
              - ./dump.sql:/docker-entrypoint-initdb.d/init.sql
          api: {image: x:1}
      `,
      'logs/access.conf': 'proxy_pass http://api:1;\n',
      'site/index.conf': 'proxy_pass http://api:2;\n',
      'dump.sql': 'proxy_pass http://api:3;\n',
    });
    const read: string[] = [];
    const spy = { ...ctx, readText: (path: string) => (read.push(path), ctx.readText(path)) };
    assert.deepEqual(buildGraph(spy).edges, []);
    assert.deepEqual(read.filter((p) => /access|index|dump/.test(p)), []);
  });

  it('reads Prometheus scrape targets, alertmanagers and remote write', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          prometheus:
            image: prom/prometheus:v2.53.0
            volumes: ["./prometheus:/etc/prometheus:ro"]
          api: {image: x:1}
          node-exporter: {image: x:1}
          secure: {image: x:1}
          alertmanager: {image: x:1}
          mimir: {image: x:1}
      `,
      'prometheus/prometheus.yml': yaml`
        global: {scrape_interval: 15s}
        alerting:
          alertmanagers:
            - static_configs: [{targets: ["alertmanager:9093"]}]
        remote_write:
          - url: http://mimir:9009/api/v1/push
        scrape_configs:
          - job_name: prometheus
            static_configs: [{targets: ["localhost:9090"]}]
          - job_name: apps
            static_configs:
              - targets: ['api:9100', 'node-exporter:9100']
          - job_name: tls
            scheme: https
            static_configs: [{targets: [secure]}]
      `,
    });
    assert.deepEqual(edges, [
      'prometheus->alertmanager config-file:9093',
      'prometheus->api config-file:9100',
      'prometheus->mimir config-file:9009',
      'prometheus->node-exporter config-file:9100',
      'prometheus->secure config-file:443',
    ]);
  });

  it('tells config files apart by content', () => {
    assert.deepEqual(configTextTargets('a: 1\nb: http://api:1\n'), []);
    assert.deepEqual(prometheusTargets('scrape_configs: [oops'), []);
    assert.deepEqual(nginxTargets('upstream {'), []);
  });

  it('routes Traefik to the services its labels configure', () => {
    const edges = edgesOf({
      'compose.yaml': yaml`
        services:
          traefik: {image: "traefik:v3.1", ports: ["80:80"]}
          api:
            image: x:1
            labels:
              traefik.enable: "true"
              traefik.http.services.api.loadbalancer.server.port: "8000"
          web:
            image: x:1
            labels: ["traefik.http.routers.web.rule=Host(example.com)"]
          hidden:
            image: x:1
            labels: {traefik.enable: "false", traefik.http.routers.h.rule: "Host(h)"}
          plain: {image: x:1}
      `,
    });
    assert.deepEqual(edges, ['traefik->api config-file:8000', 'traefik->web config-file']);
  });
});

describe('nginx-golang-postgres with its proxy config', () => {
  it('gives proxy → backend → db', () => {
    const compose = readFileSync(fixturePath('corpus', 'awesome-compose', 'nginx-golang-postgres', 'compose.yaml'), 'utf8');
    const ctx = contextOf({
      'compose.yaml': compose,
      'proxy/nginx.conf': 'server {\n  listen 80;\n  location / {\n    proxy_pass http://backend:8000;\n  }\n}\n',
      'db/password.txt': 'example\n',
      'backend/Dockerfile': 'FROM golang:1.22\n',
    });
    const graph = buildGraph(ctx);
    assert.deepEqual(graph.edges.map(edge), ['backend->db depends_on', 'proxy->backend depends_on', 'proxy->backend config-file:8000']);
    assert.deepEqual(graph.startup_order, [['db'], ['backend'], ['proxy']]);
  });
});

describe('the awesome-compose corpus', () => {
  const root = fixturePath('corpus', 'awesome-compose');
  const dirs = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

  it('builds inventory and graph for every project', () => {
    assert.ok(dirs.length >= 39);
    for (const name of dirs) {
      const ctx = contextOfDir(join(root, name));
      assert.equal(buildInventory(ctx).services.length, Object.keys(ctx.project.services).length);
      const graph = buildGraph(ctx);
      const started = graph.startup_order.flat().sort();
      assert.deepEqual(started, Object.keys(ctx.project.services).sort(), `${name}: every service starts once`);
      for (const e of graph.edges) {
        assert.notEqual(e.from, e.to, `${name}: no self edge`);
        assert.ok(ctx.project.services[e.to], `${name}: ${e.to} is a service`);
      }
    }
  });

  it('finds the links a reader sees in the files', () => {
    const edges = (name: string): string[] => buildGraph(contextOfDir(join(root, name))).edges.filter((e) => e.kind !== 'depends_on').map(edge);
    assert.deepEqual(edges('wasmedge-kafka-mysql'), ['etl->db env-url:3306', 'etl->redpanda env-url:9092']);
    assert.deepEqual(edges('gitea-postgres'), ['gitea->db env-url:5432']);
    assert.deepEqual(edges('nginx-flask-mongo'), ['web->backend env-url:9091']);
    assert.deepEqual(edges('traefik-golang'), ['frontend->backend config-file:80']);
    assert.deepEqual(edges('nextcloud-redis-mariadb'), ['nc->db env-url', 'nc->redis env-url']);
    assert.deepEqual(edges('angular'), []);
  });
});
