import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  COMPOSE_FORMATS,
  schemaCompilations,
  validateComposeSchema,
  type SchemaIssue,
} from '../../src/compose/schema.js';

/** The repository's copy of the shared corpus (test/fixtures/corpus), else the shared one. */
function findCorpus(name: string): string {
  for (const start of [process.cwd(), path.dirname(fileURLToPath(import.meta.url))]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'test', 'fixtures', 'corpus', name);
      if (fs.existsSync(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  const shared = path.join('/work/shared/corpus', name);
  assert.ok(fs.existsSync(shared), `corpus ${name} not found`);
  return shared;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

function validate(text: string): SchemaIssue[] {
  return validateComposeSchema(parse(text));
}

/** Does the pointer name a place that exists in the document? */
function resolves(doc: unknown, pointer: string): boolean {
  let node = doc;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

describe('validateComposeSchema on valid files', () => {
  it('finds nothing wrong in the awesome-compose samples', () => {
    const corpus = findCorpus('awesome-compose');
    const files = fs
      .readdirSync(corpus)
      .map((sample) => path.join(corpus, sample, 'compose.yaml'))
      .filter((file) => fs.existsSync(file));
    assert.ok(files.length >= 30, `only ${files.length} samples found`);
    for (const file of files) {
      assert.deepEqual(validate(fs.readFileSync(file, 'utf8')), [], file);
    }
  });

  it('takes strings where compose takes strings, as interpolation leaves them', () => {
    const doc = {
      name: 'app',
      services: {
        web: {
          image: 'nginx',
          ports: ['8080:80', '127.0.0.1:8443:443/tcp', '[::1]:53:53/udp', '9000-9001:9000-9001', 3000],
          expose: ['8080', 9090, '7000-7010/udp'],
          cpus: '0.5',
          mem_limit: '1g',
          privileged: 'true',
          read_only: false,
          scale: '2',
          stop_grace_period: '1m30s',
          healthcheck: { test: 'curl -f http://localhost', interval: '30s', timeout: '500ms', retries: '3', start_period: '2d' },
          environment: { PORT: '8080', DEBUG: true, EMPTY: null, N: 1.5 },
          ulimits: { nofile: { soft: '1024', hard: 2048 }, nproc: '65535' },
          deploy: { replicas: '2', restart_policy: { delay: '5s', window: '0' } },
          depends_on: { db: { condition: 'service_healthy', required: true } },
        },
        db: { image: 'postgres', 'x-note': { anything: [1, 2] } },
      },
      networks: { front: { driver: 'bridge', ipam: { config: [{ subnet: '172.28.0.0/16' }] } } },
      'x-common': { whatever: true },
    };
    assert.deepEqual(validateComposeSchema(doc), []);
  });

  it('lets through repeated list items that compose de-duplicates before validating', () => {
    assert.deepEqual(
      validate(`
services:
  web:
    image: nginx
    cap_add: [NET_ADMIN, NET_ADMIN]
    expose: ["80", "80"]
    environment: [A=1, A=1]
    ports: ["8080:80", "8080:80"]
`),
      [],
    );
  });
});

describe('validateComposeSchema on invalid files', () => {
  const cases: { name: string; yaml: string; issues: SchemaIssue[] }[] = [
    {
      name: 'a string where a list is expected',
      yaml: 'services:\n  web:\n    image: nginx\n    ports: "8080:80"\n',
      issues: [{ pointer: '/services/web/ports', message: 'services.web.ports must be a list' }],
    },
    {
      name: 'a misspelt service attribute',
      yaml: 'services:\n  web:\n    imgae: nginx\n',
      issues: [
        {
          pointer: '/services/web/imgae',
          message: 'services.web additional property "imgae" is not allowed (did you mean "image"?)',
        },
      ],
    },
    {
      name: 'a number where a string is expected',
      yaml: 'services:\n  web:\n    image: nginx\n    restart: 5\n',
      issues: [{ pointer: '/services/web/restart', message: 'services.web.restart must be a string' }],
    },
    {
      name: 'a port of no allowed type',
      yaml: 'services:\n  web:\n    image: nginx\n    ports: [true]\n',
      issues: [{ pointer: '/services/web/ports/0', message: 'services.web.ports.0 must be a string, integer or mapping' }],
    },
    {
      name: 'a port number with a fraction',
      yaml: 'services:\n  web:\n    image: nginx\n    ports: [80.5]\n',
      issues: [{ pointer: '/services/web/ports/0', message: 'services.web.ports.0 must be a string, integer or mapping' }],
    },
    {
      name: 'a port number out of range',
      yaml: 'services:\n  web:\n    image: nginx\n    ports: [70000]\n',
      issues: [{ pointer: '/services/web/ports/0', message: 'services.web.ports.0 must be less than or equal to 65535' }],
    },
    {
      name: 'a short port spec compose cannot parse',
      yaml: 'services:\n  web:\n    image: nginx\n    ports: ["80:80/xyz"]\n',
      issues: [
        {
          pointer: '/services/web/ports/0',
          message: 'services.web.ports.0 "80:80/xyz" is not a valid port mapping: the protocol must be tcp, udp or sctp',
        },
      ],
    },
    {
      name: 'an invalid duration',
      yaml: 'services:\n  web:\n    image: nginx\n    healthcheck:\n      interval: abc\n',
      issues: [
        { pointer: '/services/web/healthcheck/interval', message: 'services.web.healthcheck.interval "abc" is not a valid duration' },
      ],
    },
    {
      name: 'a duration without a unit',
      yaml: 'services:\n  web:\n    image: nginx\n    stop_grace_period: "10"\n',
      issues: [{ pointer: '/services/web/stop_grace_period', message: 'services.web.stop_grace_period "10" is not a valid duration' }],
    },
    {
      name: 'a deploy delay with a bad unit',
      yaml: 'services:\n  web:\n    image: nginx\n    deploy:\n      restart_policy:\n        delay: 5sec\n',
      issues: [
        {
          pointer: '/services/web/deploy/restart_policy/delay',
          message: 'services.web.deploy.restart_policy.delay "5sec" is not a valid duration',
        },
      ],
    },
    {
      name: 'a number where a network driver name is expected',
      yaml: 'networks:\n  front:\n    driver: 5\n',
      issues: [{ pointer: '/networks/front/driver', message: 'networks.front.driver must be a string' }],
    },
    {
      name: 'a list inside an environment mapping',
      yaml: 'services:\n  web:\n    image: nginx\n    environment:\n      FOO: ["1"]\n',
      issues: [
        {
          pointer: '/services/web/environment/FOO',
          message: 'services.web.environment.FOO must be a string, number, boolean or null',
        },
      ],
    },
    {
      name: 'a string where a list or mapping is expected',
      yaml: 'services:\n  web:\n    image: nginx\n    environment: "FOO=1"\n',
      issues: [{ pointer: '/services/web/environment', message: 'services.web.environment must be a list or mapping' }],
    },
    {
      name: 'an empty value where a list or mapping is expected',
      yaml: 'services:\n  web:\n    build:\n      context: .\n      ssh:\n',
      issues: [{ pointer: '/services/web/build/ssh', message: 'services.web.build.ssh must be a list or mapping' }],
    },
    {
      name: 'two problems inside the long build syntax',
      yaml: 'services:\n  web:\n    build:\n      contxt: .\n      dockerfile: 5\n',
      issues: [
        {
          pointer: '/services/web/build/contxt',
          message: 'services.web.build additional property "contxt" is not allowed (did you mean "context"?)',
        },
        { pointer: '/services/web/build/dockerfile', message: 'services.web.build.dockerfile must be a string' },
      ],
    },
    {
      name: 'a value outside an enum',
      yaml: 'services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        condition: started\n',
      issues: [
        {
          pointer: '/services/web/depends_on/db/condition',
          message:
            'services.web.depends_on.db.condition must be one of "service_started", "service_healthy" or ' +
            '"service_completed_successfully", not "started"',
        },
      ],
    },
    {
      name: 'a bad item in a list of strings',
      yaml: 'services:\n  web:\n    image: nginx\n    networks: [front, 1]\n',
      issues: [{ pointer: '/services/web/networks/1', message: 'services.web.networks.1 must be a string' }],
    },
    {
      name: 'a missing required property',
      yaml: 'services:\n  web:\n    extends:\n      file: base.yaml\n',
      issues: [{ pointer: '/services/web/extends', message: 'services.web.extends is missing required property "service"' }],
    },
    {
      name: 'a value below a minimum',
      yaml: 'services:\n  web:\n    image: nginx\n    volumes:\n      - type: tmpfs\n        target: /app\n        tmpfs:\n          size: -1\n',
      issues: [
        {
          pointer: '/services/web/volumes/0/tmpfs/size',
          message: 'services.web.volumes.0.tmpfs.size must be greater than or equal to 0',
        },
      ],
    },
    {
      name: 'a repeated item in a list compose does not de-duplicate',
      yaml: 'services:\n  web:\n    image: nginx\n    security_opt: [no-new-privileges, seccomp=unconfined, no-new-privileges]\n',
      issues: [
        {
          pointer: '/services/web/security_opt/2',
          message: 'services.web.security_opt contains "no-new-privileges" more than once (items 0 and 2)',
        },
      ],
    },
    {
      name: 'a service name compose does not accept',
      yaml: 'services:\n  "my web":\n    image: nginx\n',
      issues: [
        {
          pointer: '/services/my web',
          message: 'services additional property "my web" is not allowed (a name must match ^[a-zA-Z0-9._-]+$)',
        },
      ],
    },
    {
      name: 'an unknown top-level key',
      yaml: 'servics:\n  web:\n    image: nginx\n',
      issues: [{ pointer: '/servics', message: 'additional property "servics" is not allowed (did you mean "services"?)' }],
    },
    {
      name: 'a scalar document',
      yaml: '"hello"\n',
      issues: [{ pointer: '', message: 'top-level object must be a mapping' }],
    },
    {
      name: 'an empty services section',
      yaml: 'services:\n',
      issues: [{ pointer: '/services', message: 'services must be a mapping' }],
    },
    {
      name: 'a service that is not a mapping',
      yaml: 'services:\n  web: nginx\n',
      issues: [{ pointer: '/services/web', message: 'services.web must be a mapping' }],
    },
    {
      name: 'a number where the version string is expected',
      yaml: 'version: 3.8\nservices:\n  web:\n    image: nginx\n',
      issues: [{ pointer: '/version', message: 'version must be a string' }],
    },
    {
      name: 'a key with a slash, escaped in the pointer',
      yaml: 'services:\n  web:\n    image: nginx\n    a/b~c: 1\n',
      issues: [{ pointer: '/services/web/a~1b~0c', message: 'services.web additional property "a/b~c" is not allowed' }],
    },
    {
      name: 'a single allowed value',
      yaml: 'services:\n  web:\n    image: nginx\n    gpus: some\n',
      issues: [{ pointer: '/services/web/gpus', message: 'services.web.gpus must be "all", not "some"' }],
    },
    {
      name: 'a typo in long port syntax',
      yaml: 'services:\n  web:\n    image: nginx\n    ports:\n      - targt: 80\n',
      issues: [
        {
          pointer: '/services/web/ports/0/targt',
          message: 'services.web.ports.0 additional property "targt" is not allowed (did you mean "target"?)',
        },
      ],
    },
  ];

  for (const c of cases) {
    it(c.name, () => assert.deepEqual(validate(c.yaml), c.issues));
  }

  it('reports every problem once, in the order of the document', () => {
    const issues = validate(`
services:
  web:
    image: 5
    command: 7
    ports: ["80:80/xyz", true]
  db:
    image: postgres
    healthcheck:
      interval: soon
networks:
  front:
    driver: 1
`);
    assert.deepEqual(
      issues.map((i) => i.pointer),
      [
        '/services/web/image',
        '/services/web/command',
        '/services/web/ports/0',
        '/services/web/ports/1',
        '/services/db/healthcheck/interval',
        '/networks/front/driver',
      ],
    );
    assert.equal(new Set(issues.map((i) => i.pointer)).size, issues.length);
  });
});

describe('did you mean', () => {
  const typos: [attribute: string, section: string, suggestion: string][] = [
    ['enviroment', 'services.web', 'environment'],
    ['healtcheck', 'services.web', 'healthcheck'],
    ['depends-on', 'services.web', 'depends_on'],
    ['comand', 'services.web', 'command'],
    ['volume', 'services.web', 'volumes'],
    ['Image', 'services.web', 'image'],
    ['entry_point', 'services.web', 'entrypoint'],
  ];
  for (const [typo, section, suggestion] of typos) {
    it(`suggests ${suggestion} for ${typo}`, () => {
      const issues = validateComposeSchema({ services: { web: { image: 'nginx', [typo]: 'x' } } });
      assert.deepEqual(issues, [
        {
          pointer: `/services/web/${typo}`,
          message: `${section} additional property "${typo}" is not allowed (did you mean "${suggestion}"?)`,
        },
      ]);
    });
  }

  it('suggests nothing for a name that is not close to any', () => {
    for (const name of ['workdir', 'foo', 'volumes_form_the_host']) {
      const [issue] = validateComposeSchema({ services: { web: { image: 'nginx', [name]: 'x' } } });
      assert.equal(issue?.message, `services.web additional property "${name}" is not allowed`);
    }
  });

  it('suggests within nested sections too', () => {
    const issues = validateComposeSchema({
      services: { web: { image: 'nginx', depends_on: { db: { condtion: 'service_started' } } } },
    });
    assert.deepEqual(issues, [
      { pointer: '/services/web/depends_on/db', message: 'services.web.depends_on.db is missing required property "condition"' },
      {
        pointer: '/services/web/depends_on/db/condtion',
        message: 'services.web.depends_on.db additional property "condtion" is not allowed (did you mean "condition"?)',
      },
    ]);
  });
});

describe('compose formats', () => {
  const table: Record<string, { valid: string[]; invalid: string[] }> = {
    duration: {
      valid: ['0', '30s', '1m30s', '1.5h', '500ms', '10us', '10\u00b5s', '2d', '1w', '-1s', '+5m'],
      invalid: ['', '10', 'abc', '5sec', '1.s.', 's', '1h 30m'],
    },
    ports: {
      valid: ['80', '8080:80', '127.0.0.1:8080:80', '127.0.0.1::80', '[::1]:53:53/udp', '8000-8010:8000-8010', '9000-9010:80', '80/sctp'],
      invalid: ['', 'abc', '8080:', '80:80/xyz', '70000', '8000-8010:9000-9001', 'not-an-ip:80:80', '90-80'],
    },
    expose: {
      valid: ['80', '80/tcp', '7000-7010/udp', '0'],
      invalid: ['', 'abc', '8080:80', '70000', '90-80', '80/xyz'],
    },
    subnet_ip_address: {
      valid: ['172.28.0.0/16', '10.0.0.0/8', '2001:db8::/64', '0.0.0.0/0'],
      invalid: ['', '172.28.0.0', '172.28.0.0/33', '2001:db8::/129', 'fe80::/64/1', 'net/16'],
    },
  };
  for (const [format, { valid, invalid }] of Object.entries(table)) {
    it(`${format} accepts what compose accepts`, () => {
      const check = COMPOSE_FORMATS[format];
      assert.ok(check, `format ${format} is registered`);
      for (const value of valid) assert.equal(check(value), true, `${format} ${JSON.stringify(value)}`);
      for (const value of invalid) assert.equal(check(value), false, `${format} ${JSON.stringify(value)}`);
    });
  }
});

describe('compilation', () => {
  it('compiles the schema once per process', () => {
    validateComposeSchema({ services: { web: { image: 'nginx' } } });
    assert.equal(schemaCompilations(), 1);
    for (let i = 0; i < 5; i++) validateComposeSchema({ services: { web: { image: 5 } } });
    assert.equal(schemaCompilations(), 1);
  });

  it('validates a typical file in well under a millisecond', () => {
    const corpus = findCorpus('awesome-compose');
    const doc = parse(fs.readFileSync(path.join(corpus, 'nginx-flask-mysql', 'compose.yaml'), 'utf8'));
    validateComposeSchema(doc);
    const runs = 500;
    const start = performance.now();
    for (let i = 0; i < runs; i++) validateComposeSchema(doc);
    const perCall = (performance.now() - start) / runs;
    assert.ok(perCall < 1, `${perCall.toFixed(3)} ms per validation`);
  });
});

describe('robustness', () => {
  it('never throws on values no compose file should hold', () => {
    const cyclic: Record<string, unknown> = { services: {} };
    (cyclic['services'] as Record<string, unknown>)['web'] = cyclic;
    const odd: unknown[] = [
      undefined,
      null,
      42,
      'text',
      [],
      [{ services: {} }],
      cyclic,
      JSON.parse('{"__proto__": {"image": 1}, "services": {"__proto__": 1}}'),
      { services: { web: { image: 10n, ports: [Symbol('p')], command: () => 1, environment: new Map() } } },
      { services: { web: { image: Number.NaN, cpus: Infinity, labels: [new Date(0)] } } },
      { services: { web: { image: 'x'.repeat(10_000), restart: 'y'.repeat(10_000) } } },
    ];
    for (const value of odd) {
      const issues = validateComposeSchema(value);
      assert.ok(Array.isArray(issues));
      for (const issue of issues) {
        assert.equal(typeof issue.pointer, 'string');
        assert.equal(typeof issue.message, 'string');
        assert.ok(issue.message.length < 400, issue.message);
      }
    }
  });

  it('never throws on the compose-go test inputs, and points at places that exist', () => {
    const files = yamlFiles(findCorpus('compose-go'));
    let validated = 0;
    for (const file of files) {
      let doc: unknown;
      try {
        doc = parse(fs.readFileSync(file, 'utf8'), { logLevel: 'silent' });
      } catch {
        continue;
      }
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) continue;
      validated++;
      const issues = validateComposeSchema(doc);
      for (const issue of issues) {
        assert.ok(resolves(doc, issue.pointer), `${file}: ${issue.pointer} (${issue.message})`);
        assert.ok(issue.message.length > 0);
      }
    }
    assert.ok(validated > 100, `only ${validated} files validated`);
  });
});
