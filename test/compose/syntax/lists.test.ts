import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatExtraHosts,
  normalizeDependsOn,
  parseEnvironment,
  parseEnvironmentList,
  parseExtraHosts,
  parseLabels,
  parseSysctls,
  parseUlimit,
  type Parsed,
  type ServiceDependency,
  type Ulimit,
} from '../../../src/compose/syntax/index.js';

function valueOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) assert.fail(`expected success, got error: ${parsed.error}`);
  return parsed.value;
}

function errorOf<T>(parsed: Parsed<T>): string {
  if (parsed.ok) assert.fail(`expected an error, got ${JSON.stringify(parsed.value)}`);
  return parsed.error;
}

/** Runs a valid/invalid table against one parser. */
function table<T>(
  parse: (v: never) => Parsed<T>,
  valid: [unknown, T][],
  invalid: [unknown, RegExp][],
): void {
  for (const [input, expected] of valid) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepStrictEqual(valueOf(parse(input as never)), expected);
    });
  }
  for (const [input, expected] of invalid) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.match(errorOf(parse(input as never)), expected);
    });
  }
}

describe('parseEnvironmentList', () => {
  table<Record<string, string | null>>(
    parseEnvironmentList,
    [
      [['KEY=VALUE'], { KEY: 'VALUE' }],
      [['KEY'], { KEY: null }],
      [['KEY='], { KEY: '' }],
      [['URL=postgres://u:p@db/app?x=1'], { URL: 'postgres://u:p@db/app?x=1' }],
      [['A=1', 'B', 'C=', 'A=2'], { A: '2', B: null, C: '' }],
      [['A= spaced value '], { A: ' spaced value ' }],
      [[42, true], { '42': null, true: null }],
      [[], {}],
    ],
    [
      [['=value'], /^invalid environment entry "=value": the variable name is empty; expected KEY=VALUE or KEY$/],
      [['KEY =value'], /^invalid environment entry "KEY =value": the variable name "KEY " ends with a space; remove the space before "="$/],
      [['KEY\t'], /the variable name "KEY\\t" ends with a space/],
      [[null], /^invalid environment entry #1: expected a string like KEY=VALUE, not null$/],
      [['A=1', { B: 2 }], /^invalid environment entry #2: expected a string like KEY=VALUE, not a mapping$/],
      ['KEY=VALUE', /^invalid environment: expected a list of KEY=VALUE strings, not "KEY=VALUE"$/],
    ],
  );

  it('keeps a variable named __proto__ as an ordinary key', () => {
    const environment = valueOf(parseEnvironmentList(['__proto__=x']));
    assert.deepStrictEqual(Object.keys(environment), ['__proto__']);
    assert.strictEqual(Object.getPrototypeOf(environment), Object.prototype);
  });
});

describe('parseEnvironment', () => {
  table<Record<string, string | null>>(
    parseEnvironment,
    [
      [{ A: 'x', B: null, C: 80, D: true, E: '' }, { A: 'x', B: null, C: '80', D: 'true', E: '' }],
      [['A=x', 'B'], { A: 'x', B: null }],
      [{}, {}],
    ],
    [
      [{ A: { nested: true } }, /^invalid environment variable "A": the value must be a string, a number or a boolean, not a mapping$/],
      [{ A: [1] }, /not a list/],
      ['A=x', /^invalid environment: expected a mapping or a list of KEY=VALUE strings, not "A=x"$/],
      [null, /not null/],
    ],
  );
});

describe('parseLabels', () => {
  table<Record<string, string>>(
    parseLabels,
    [
      [['a=b', 'c', 'd=e=f', 'g='], { a: 'b', c: '', d: 'e=f', g: '' }],
      [['com.example.x=1', 'com.example.x=2'], { 'com.example.x': '2' }],
      [{ a: 1, b: null, c: true, d: 'text' }, { a: '1', b: '', c: 'true', d: 'text' }],
      [[], {}],
    ],
    [
      [['=x'], /^invalid label entry "=x": the name is empty; expected NAME=VALUE$/],
      [[{}], /^invalid label entry #1: expected a string like NAME=VALUE, not a mapping$/],
      [{ a: [] }, /^invalid label "a": the value must be a string, a number or a boolean, not a list$/],
      [5, /^invalid labels: expected a mapping or a list of NAME=VALUE strings, not "5"$/],
    ],
  );
});

describe('parseSysctls', () => {
  table<Record<string, string>>(
    parseSysctls,
    [
      [['net.core.somaxconn=1024', 'net.ipv4.tcp_syncookies=0'], { 'net.core.somaxconn': '1024', 'net.ipv4.tcp_syncookies': '0' }],
      [{ 'net.core.somaxconn': 1024, 'net.ipv4.ip_forward': '1' }, { 'net.core.somaxconn': '1024', 'net.ipv4.ip_forward': '1' }],
    ],
    [
      [['=1'], /^invalid sysctl entry "=1": the name is empty/],
      ['net.core.somaxconn=1024', /^invalid sysctls: expected a mapping or a list/],
    ],
  );
});

describe('parseExtraHosts', () => {
  table<Record<string, string[]>>(
    parseExtraHosts,
    [
      [['myhost:192.168.0.1'], { myhost: ['192.168.0.1'] }],
      [['myhost=192.168.0.1'], { myhost: ['192.168.0.1'] }],
      [['myhost=[192.168.0.1]'], { myhost: ['192.168.0.1'] }],
      [['host.invalid:10.0.2.1'], { 'host.invalid': ['10.0.2.1'] }],
      [['anipv6host:2003:ab34:e::1'], { anipv6host: ['2003:ab34:e::1'] }],
      [['anipv6host=[2003:ab34:e::1]'], { anipv6host: ['2003:ab34:e::1'] }],
      [['ipv6local:::1'], { ipv6local: ['::1'] }],
      [['ipv6local=::1'], { ipv6local: ['::1'] }],
      [['ipv6local:[::1]'], { ipv6local: ['::1'] }],
      [['host.docker.internal:host-gateway'], { 'host.docker.internal': ['host-gateway'] }],
      [['foo:127.0.0.2', 'foo:ff02::1'], { foo: ['127.0.0.2', 'ff02::1'] }],
      [['foo=127.0.0.2,127.0.0.3'], { foo: ['127.0.0.2', '127.0.0.3'] }],
      [['foo='], { foo: [''] }],
      [
        { myhost: '1.2.3.4', other: ['::1', '[::2]'], none: null },
        { myhost: ['1.2.3.4'], other: ['::1', '::2'], none: [''] },
      ],
      [[], {}],
    ],
    [
      [['::::1'], /^invalid extra host name "": it must not be empty or contain ":" or "="$/],
      [['=::1'], /invalid extra host name ""/],
      [['justahost'], /^invalid extra host "justahost": the IP address is missing; expected HOST=IP$/],
      [[null], /^invalid extra host #1: expected a string like HOST=IP, not null$/],
      [{ 'a:b': '1.2.3.4' }, /invalid extra host name "a:b"/],
      [{ h: 5 }, /^invalid extra host "h": expected an IP address or a list of them, not "5"$/],
      [{ h: [{}] }, /^invalid extra host "h": each IP address must be a string, not a mapping$/],
      ['myhost:1.2.3.4', /^invalid extra_hosts: expected a list of HOST=IP strings or a mapping, not "myhost:1.2.3.4"$/],
    ],
  );
});

describe('formatExtraHosts', () => {
  it('prints sorted host=ip strings, as docker compose config does', () => {
    assert.deepStrictEqual(formatExtraHosts({ b: ['1.1.1.1'], a: ['::1', '10.0.0.1'] }), ['a=10.0.0.1', 'a=::1', 'b=1.1.1.1']);
    assert.deepStrictEqual(formatExtraHosts({}), []);
  });

  it('turns a parsed list back into its = form', () => {
    const hosts = valueOf(parseExtraHosts(['ipv6local:::1', 'myhost:[10.0.0.2]']));
    assert.deepStrictEqual(formatExtraHosts(hosts), ['ipv6local=::1', 'myhost=10.0.0.2']);
  });
});

describe('parseUlimit', () => {
  table<Ulimit>(
    parseUlimit,
    [
      [65535, 65535],
      [-1, -1],
      ['1024', 1024],
      [{ soft: 20000, hard: 40000 }, { soft: 20000, hard: 40000 }],
      [{ soft: '1', hard: '2' }, { soft: 1, hard: 2 }],
      [{ soft: 1, hard: 2, 'x-note': 'kept out' }, { soft: 1, hard: 2 }],
    ],
    [
      [1.5, /^invalid ulimit: expected a whole number or a mapping with "soft" and "hard", not "1.5"$/],
      ['abc', /expected a whole number/],
      [null, /not null/],
      [[1], /not a list/],
      [{ soft: 1 }, /^invalid ulimit: both "soft" and "hard" are required, or give one number for both$/],
      [{ hard: 1 }, /both "soft" and "hard" are required/],
      [{ soft: 'a', hard: 1 }, /^invalid ulimit: "soft" must be a whole number, not "a"$/],
      [{ soft: 1, hard: 2.5 }, /"hard" must be a whole number, not "2.5"/],
      [{ soft: 1, hard: 2, max: 3 }, /unknown key "max"; expected "soft" and "hard"/],
    ],
  );

  it('names the ulimit in its errors when given the name', () => {
    assert.match(errorOf(parseUlimit('lots', 'nofile')), /^invalid ulimit "nofile": expected a whole number/);
  });
});

describe('normalizeDependsOn', () => {
  const started: ServiceDependency = { condition: 'service_started', required: true };
  table<Record<string, ServiceDependency>>(
    normalizeDependsOn,
    [
      [['db', 'cache'], { db: started, cache: started }],
      [[], {}],
      [{ db: { condition: 'service_healthy' } }, { db: { condition: 'service_healthy', required: true } }],
      [{ db: {} }, { db: started }],
      [
        { db: { condition: 'service_completed_successfully', required: false, restart: true } },
        { db: { condition: 'service_completed_successfully', restart: true, required: false } },
      ],
      [{ db: { condition: 'service_started', restart: false } }, { db: started }],
      [{ db: { required: 'false', restart: 'yes' } }, { db: { condition: 'service_started', restart: true, required: false } }],
      [{ db: { condition: 'service_healthy', 'x-why': 'migrations' } }, { db: { condition: 'service_healthy', required: true } }],
    ],
    [
      [{ db: null }, /^invalid depends_on entry "db": expected a mapping such as \{condition: service_healthy\}, not null$/],
      [{ db: 'service_healthy' }, /not "service_healthy"/],
      [
        { db: { condition: 'healthy' } },
        /^invalid depends_on entry "db": the condition "healthy" must be service_started, service_healthy or service_completed_successfully$/,
      ],
      [{ db: { required: 'maybe' } }, /^invalid depends_on entry "db": "required" must be true or false, not "maybe"$/],
      [{ db: { restart: 1 } }, /"restart" must be true or false, not "1"/],
      [{ db: { wait: true } }, /unknown key "wait"; expected condition, required or restart/],
      [[1], /^invalid depends_on entry #1: expected a service name, not "1"$/],
      [[''], /invalid depends_on entry #1: expected a service name/],
      ['db', /^invalid depends_on: expected a list of service names or a mapping, not "db"$/],
    ],
  );

  it('prints keys in compose-go field order', () => {
    const deps = valueOf(normalizeDependsOn({ db: { restart: true, required: true, condition: 'service_healthy' } }));
    assert.deepStrictEqual(Object.keys(deps['db'] ?? {}), ['condition', 'restart', 'required']);
  });
});
