import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, RULES, type Finding, type Report } from '../../src/analyze/index.js';
import { CORPUS_DIR } from '../helpers/corpus.js';
import { writeTree } from '../helpers/tmp.js';

// The 39 docker/awesome-compose samples, read one by one: each expectation below is something a
// careful reader sees in those files, written as `project rule service line`. The samples hold
// compose files only, so their missing build contexts and bind sources are findings too; this
// test is about what the files say, and leaves those to the rules' own tests.

const AWESOME = join(CORPUS_DIR, 'awesome-compose');
const SAMPLES = readdirSync(AWESOME).sort();

function analyzeCorpus(root: string): Report {
  const { report, problems } = analyze({ root, rules: RULES, env: {}, version: '0.0.0-test' });
  assert.deepEqual(problems, []);
  return report;
}

interface Located extends Finding {
  project: string;
}

function located(report: Report): Located[] {
  return report.projects.flatMap((p) => p.environments.flatMap((e) => e.findings.map((f) => ({ ...f, project: p.dir }))));
}

const key = (f: Located) => `${f.project} ${f.rule} ${f.service ?? '-'} ${f.line}`;

const report = analyzeCorpus(AWESOME);
const findings = located(report);

/** Every finding of `rule` on the corpus, as `project rule service line`, sorted. */
function of(rule: string): string[] {
  return findings.filter((f) => f.rule === rule).map(key).sort();
}

/** Expectations written as `project service line…` for one rule, in the same form as `of`. */
function expected(rule: string, ...rows: string[]): string[] {
  return rows
    .flatMap((row) => {
      const [project, service, ...lines] = row.split(' ');
      return lines.map((line) => `${project} ${rule} ${service} ${line}`);
    })
    .sort();
}

/** The text of a line of a sample's compose file. */
function lineOf(project: string, line: number): string {
  const file = readdirSync(join(AWESOME, project)).find((n) => /^compose\.ya?ml$/.test(n));
  assert.ok(file, project);
  return readFileSync(join(AWESOME, project, file), 'utf8').split('\n')[line - 1] ?? '';
}

describe('awesome-compose, as a careful reader sees it', () => {
  it('analyzes all 39 samples, one base environment each, every finding placed in its file', () => {
    assert.equal(SAMPLES.length, 39);
    assert.deepEqual(report.projects.map((p) => p.dir).sort(), SAMPLES);
    for (const project of report.projects) {
      assert.deepEqual(project.environments.map((e) => e.name), ['base'], project.dir);
      const environment = project.environments[0];
      assert.ok(environment);
      assert.match(environment.files.join(), /^compose\.ya?ml$/, project.dir);
      assert.ok(environment.inventory.services.length > 0, project.dir);
      const lines = readFileSync(join(AWESOME, project.dir, environment.files[0] ?? ''), 'utf8').split('\n').length;
      for (const f of environment.findings) {
        assert.equal(f.file, environment.files[0], `${project.dir} ${f.rule}`);
        assert.ok(f.line >= 1 && f.line <= lines && f.column >= 1, `${project.dir} ${f.rule} at ${f.line}:${f.column}`);
        const names = environment.inventory.services.map((s) => s.name);
        if (f.service !== null) assert.ok(names.includes(f.service), `${project.dir} ${f.rule} names "${f.service}"`);
      }
    }
  });

  it('finds the Docker socket mounts (portainer, traefik)', () => {
    assert.deepEqual(of('docker-socket-mount'), expected('docker-socket-mount', 'portainer portainer 9', 'traefik-golang frontend 10'));
    for (const f of findings.filter((x) => x.rule === 'docker-socket-mount')) assert.match(lineOf(f.project, f.line), /docker\.sock/);
  });

  it('finds the host-network sample (plex), and nothing else shares a host namespace or runs privileged', () => {
    assert.deepEqual(of('host-namespace'), expected('host-namespace', 'plex plex 5'));
    assert.deepEqual(of('privileged'), []);
    // plex has no ports, so none are silently ignored.
    assert.deepEqual(of('ignored-ports'), []);
  });

  it('finds the dangerous capabilities (wireguard NET_ADMIN and SYS_MODULE, pihole NET_ADMIN)', () => {
    assert.deepEqual(
      of('dangerous-capability'),
      expected('dangerous-capability', 'pihole-cloudflared-DoH pihole 44', 'wireguard wireguard 7 8'),
    );
  });

  it('finds the sensitive host mounts (pihole under /etc, wireguard under /usr and /lib/modules)', () => {
    assert.deepEqual(
      of('sensitive-host-mount'),
      expected('sensitive-host-mount', 'pihole-cloudflared-DoH pihole 41 42', 'wireguard wireguard 20 21 22'),
    );
    // `~/minecraft_data` is data kept in a home folder, not the home's secrets.
    assert.ok(!findings.some((f) => f.project === 'minecraft' && f.rule === 'sensitive-host-mount'));
  });

  it('finds every database, cache and broker published on all interfaces, and only those', () => {
    assert.deepEqual(
      of('exposed-database-port'),
      expected(
        'exposed-database-port',
        'elasticsearch-logstash-kibana elasticsearch 9 10', // 9200 and 9300
        'flask-redis redis 5',
        'nginx-nodejs-redis redis 6',
        'postgresql-pgadmin postgres 10',
        // Prometheus's API serves every scraped metric and, with the admin API, deletes series: a data store.
        'prometheus-grafana prometheus 8',
        'react-rust-postgres db 42',
        // Redpanda's Kafka API (9092, 29092), schema registry, HTTP proxy and admin API: no auth.
        'wasmedge-kafka-mysql redpanda 14 15 16 17 18',
      ),
    );
    // Databases reached only over the compose network (`expose:` or nothing) are not findings:
    // gitea, nextcloud, the mariadb/postgres samples with secrets, mongo, mssql, wordpress.
    const unpublished = ['gitea-postgres', 'nextcloud-postgres', 'nextcloud-redis-mariadb', 'nginx-flask-mongo',
      'nginx-golang-mysql', 'react-express-mongodb', 'aspnet-mssql', 'wordpress-mysql', 'wasmedge-mysql-nginx'];
    assert.deepEqual(findings.filter((f) => f.rule === 'exposed-database-port' && unpublished.includes(f.project)), []);
  });

  it('does not report loopback-bound database ports (the same samples, published on 127.0.0.1)', () => {
    const files: Record<string, string> = {};
    for (const sample of ['postgresql-pgadmin', 'react-rust-postgres', 'flask-redis', 'elasticsearch-logstash-kibana']) {
      const text = readFileSync(join(AWESOME, sample, 'compose.yaml'), 'utf8');
      // `- "5432:5432"`, `- 5432:5432`, `- '6379:6379'` → the same on 127.0.0.1.
      const bound = text.replace(/^(\s*-\s*["']?)(\d+:\d+)/gm, '$1127.0.0.1:$2');
      assert.notEqual(bound, text, sample);
      files[`${sample}/compose.yaml`] = bound;
    }
    const variant = located(analyzeCorpus(writeTree(files)));
    assert.equal(new Set(variant.map((f) => f.project)).size, 4);
    assert.deepEqual(variant.filter((f) => f.rule === 'exposed-database-port').map(key), []);
    assert.deepEqual(variant.filter((f) => f.rule === 'unbound-port-interface').map(key), []);
  });

  it('finds every untagged, `latest` and other floating image tag, and no pinned or built image', () => {
    assert.deepEqual(
      of('latest-tag'),
      expected(
        'latest-tag',
        // No tag at all.
        'flask-redis redis 3',
        'minecraft minecraft 3',
        'nginx-flask-mongo web 3',
        'nginx-flask-mongo mongo 29',
        'nginx-golang proxy 3',
        'nginx-golang-mysql proxy 35',
        'nginx-golang-postgres db 13',
        'nginx-golang-postgres proxy 32',
        'nginx-nodejs-redis redis 4',
        'pihole-cloudflared-DoH cloudflared 4',
        'plex plex 3',
        'prometheus-grafana prometheus 3',
        'prometheus-grafana grafana 14',
        'spring-postgres db 11',
        'wireguard wireguard 4',
        // `latest`.
        'gitea-postgres gitea 3',
        'pihole-cloudflared-DoH pihole 20',
        'postgresql-pgadmin postgres 4',
        'postgresql-pgadmin pgadmin 15',
        'wordpress-mysql wordpress 20',
        // A variant without a version: `alpine`, `apache`.
        'gitea-postgres db 16',
        'nextcloud-postgres nc 3',
        'nextcloud-postgres db 15',
        'nextcloud-redis-mariadb nc 3',
        'nextcloud-redis-mariadb redis 19',
        'portainer portainer 3',
        'wasmedge-mysql-nginx frontend 3',
      ),
    );
    // `image:` next to `build:` names the image compose builds (etl-kafka, demo-microservice).
    assert.ok(!findings.some((f) => f.rule === 'latest-tag' && ['etl', 'backend'].includes(f.service ?? '') && f.project.startsWith('wasmedge')));
  });

  it('finds the literal passwords: hardcoded secrets and well-known or user-name passwords', () => {
    assert.deepEqual(
      of('hardcoded-secret'),
      expected(
        'hardcoded-secret',
        'aspnet-mssql db 9 16', // SA_PASSWORD, and `-P example_123` in the healthcheck
        'wasmedge-kafka-mysql etl 27', // mysql://root:whalehello@db
        'wasmedge-kafka-mysql db 36',
        'wasmedge-mysql-nginx backend 17',
        'wasmedge-mysql-nginx db 25',
        'wordpress-mysql db 12',
      ),
    );
    assert.deepEqual(
      of('default-credential'),
      expected(
        'default-credential',
        'gitea-postgres gitea 9',
        'gitea-postgres db 19',
        'nextcloud-postgres nc 6',
        'nextcloud-postgres db 17',
        'nextcloud-redis-mariadb nc 17',
        'nextcloud-redis-mariadb db 36 37',
        'prometheus-grafana grafana 21', // GF_SECURITY_ADMIN_PASSWORD=grafana
        'react-rust-postgres backend 24', // mysecretpassword, the postgres image's example
        'react-rust-postgres db 38',
        'wordpress-mysql db 15',
        'wordpress-mysql wordpress 27',
      ),
    );
  });

  it('never reports a secret on ${…}, *_FILE or /run/secrets/… lines', () => {
    const indirect: string[] = [];
    for (const sample of SAMPLES) {
      const file = readdirSync(join(AWESOME, sample)).find((n) => /^compose\.ya?ml$/.test(n)) ?? '';
      readFileSync(join(AWESOME, sample, file), 'utf8').split('\n').forEach((text, i) => {
        if (/\$\{|_FILE\b|\/run\/secrets\//.test(text)) indirect.push(`${sample} ${i + 1}`);
      });
    }
    // WEBPASSWORD=${PIHOLE_PW}, POSTGRES_PASSWORD=${POSTGRES_PW}, the *_PASSWORD_FILE and
    // `$(cat /run/secrets/db-password)` healthchecks, DATABASE_PASSWORD=/run/secrets/db-password…
    assert.ok(indirect.length >= 25, `only ${indirect.length} such lines`);
    const secretRules = new Set(['hardcoded-secret', 'default-credential']);
    const flagged = findings.filter((f) => secretRules.has(f.rule) && indirect.includes(`${f.project} ${f.line}`));
    assert.deepEqual(flagged.map(key), []);
  });

  it('finds the variables used without a value or default (env empty)', () => {
    assert.deepEqual(
      of('unset-variable'),
      expected(
        'unset-variable',
        'pihole-cloudflared-DoH cloudflared 10',
        'pihole-cloudflared-DoH pihole 30 32 33 34 35 36',
        'plex plex 10',
        'postgresql-pgadmin postgres 6 7 8',
        'postgresql-pgadmin pgadmin 17 18',
        'wireguard wireguard 12 13',
      ),
    );
    // `${PLEX_MEDIA_PATH}:/media/` with the variable unset is a volume compose refuses.
    assert.deepEqual(of('schema'), expected('schema', 'plex plex 10'));
    assert.deepEqual(of('obsolete-version'), expected('obsolete-version', 'pihole-cloudflared-DoH - 1', 'wireguard - 1'));
  });

  it('finds root where the image runs as root, and not where `user:` is set or the image is non-root', () => {
    const root = new Set(of('root-user').map((k) => k.replace(' root-user', '').replace(/ \d+$/, '')));
    for (const runsAsRoot of ['portainer portainer', 'traefik-golang frontend', 'plex plex', 'wireguard wireguard',
      'pihole-cloudflared-DoH pihole', 'nextcloud-postgres nc', 'wordpress-mysql wordpress', 'gitea-postgres gitea']) {
      assert.ok(root.has(runsAsRoot), runsAsRoot);
    }
    const nonRoot = [
      'nginx-golang-postgres db', // user: postgres
      'prometheus-grafana prometheus',
      'prometheus-grafana grafana',
      'postgresql-pgadmin pgadmin',
      'elasticsearch-logstash-kibana elasticsearch',
      'elasticsearch-logstash-kibana logstash',
      'elasticsearch-logstash-kibana kibana',
      'aspnet-mssql db', // azure-sql-edge runs as mssql
      'wasmedge-kafka-mysql redpanda', // runs as redpanda (UID 101)
    ];
    assert.deepEqual(nonRoot.filter((s) => root.has(s)), []);
    // Built services whose Dockerfile is not in the corpus: the user is unknown, so no finding.
    const built = new Set(
      report.projects.flatMap((p) => (p.environments[0]?.inventory.services ?? []).filter((s) => s.build !== null).map((s) => `${p.dir} ${s.name}`)),
    );
    assert.ok(built.size >= 30);
    assert.deepEqual([...built].filter((s) => root.has(s)), []);
  });

  it('flags the Node.js inspector ports react-express-mysql publishes on all interfaces (9229, 9230), and no other debug port', () => {
    assert.deepEqual(of('debug-port-exposed'), expected('debug-port-exposed', 'react-express-mysql backend 17 18'));
    assert.ok(findings.filter((f) => f.rule === 'debug-port-exposed').every((f) => f.severity === 'high'));
  });

  it('reports every published port without a host address as unbound, and no other', () => {
    const unbound = findings.filter((f) => f.rule === 'unbound-port-interface');
    for (const project of report.projects) {
      for (const service of project.environments[0]?.inventory.services ?? []) {
        const published = service.ports.filter((p) => p.published !== null && (p.host_ip === '0.0.0.0' || p.host_ip === '::')).length;
        const reported = unbound.filter((f) => f.project === project.dir && f.service === service.name).length;
        assert.equal(reported, published, `${project.dir} ${service.name}`);
      }
    }
    assert.equal(unbound.length, 67);
  });
});
