import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePortLong, parsePortShort, type Parsed, type PortConfig } from '../../../src/compose/syntax/index.js';

function valueOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) assert.fail(`expected success, got error: ${parsed.error}`);
  return parsed.value;
}

function errorOf<T>(parsed: Parsed<T>): string {
  if (parsed.ok) assert.fail(`expected an error, got ${JSON.stringify(parsed.value)}`);
  return parsed.error;
}

const tcp = (target: number, extra: Partial<PortConfig> = {}): PortConfig => ({
  mode: 'ingress',
  ...(extra.host_ip !== undefined ? { host_ip: extra.host_ip } : {}),
  target,
  ...(extra.published !== undefined ? { published: extra.published } : {}),
  protocol: extra.protocol ?? 'tcp',
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('parsePortShort', () => {
  const valid: [string | number, PortConfig[]][] = [
    [80, [tcp(80)]],
    [0, [tcp(0)]],
    ['80', [tcp(80)]],
    ['80/', [tcp(80)]],
    [':80', [tcp(80)]],
    ['8080:80', [tcp(80, { published: '8080' })]],
    ['80:8080', [tcp(8080, { published: '80' })]],
    ['08080:080', [tcp(80, { published: '8080' })]],
    ['127.0.0.1:8080:80', [tcp(80, { host_ip: '127.0.0.1', published: '8080' })]],
    ['127.0.0.1::80', [tcp(80, { host_ip: '127.0.0.1' })]],
    ['1.1.1.1:80:80', [tcp(80, { host_ip: '1.1.1.1', published: '80' })]],
    ['0.0.0.0:443:443', [tcp(443, { host_ip: '0.0.0.0', published: '443' })]],
    // go-connections >= 0.5 (what docker compose v2 builds with) takes everything before the last
    // two colons as the IP, so a raw IPv6 address works as well as a bracketed one.
    ['[::1]:8080:80', [tcp(80, { host_ip: '::1', published: '8080' })]],
    ['::1:8080:80', [tcp(80, { host_ip: '::1', published: '8080' })]],
    ['[2001:db8::1]::53/udp', [tcp(53, { host_ip: '2001:db8::1', protocol: 'udp' })]],
    ['::ffff:10.0.0.1:80:80', [tcp(80, { host_ip: '::ffff:10.0.0.1', published: '80' })]],
    ['[1.2.3.4]:80:80', [tcp(80, { host_ip: '1.2.3.4', published: '80' })]],
    ['6060:6060/udp', [tcp(6060, { published: '6060', protocol: 'udp' })]],
    ['6060:6060/UDP', [tcp(6060, { published: '6060', protocol: 'udp' })]],
    ['8080:80/Tcp', [tcp(80, { published: '8080' })]],
    ['132:132/sctp', [tcp(132, { published: '132', protocol: 'sctp' })]],
    ['8000-8010:8000-8010', range(8000, 8010).map((p) => tcp(p, { published: String(p) }))],
    ['8000-8010:80', [tcp(80, { published: '8000-8010' })]],
    ['12400-12500:1240', [tcp(1240, { published: '12400-12500' })]],
    ['80-82:8080/udp', [tcp(8080, { published: '80-82', protocol: 'udp' })]],
    ['80-80:8080', [tcp(8080, { published: '80' })]],
    ['8000-8000', [tcp(8000)]],
    [
      '9090-9091:8080-8081',
      [tcp(8080, { published: '9090' }), tcp(8081, { published: '9091' })],
    ],
    [
      '127.0.0.1:5000-5001:6000-6001/udp',
      [
        tcp(6000, { host_ip: '127.0.0.1', published: '5000', protocol: 'udp' }),
        tcp(6001, { host_ip: '127.0.0.1', published: '5001', protocol: 'udp' }),
      ],
    ],
    ['3000-3001', [tcp(3000), tcp(3001)]],
    // compose-go sorts the entries by "<port>/<protocol>" as strings.
    [
      '9998-10001:9998-10001',
      [10000, 10001, 9998, 9999].map((p) => tcp(p, { published: String(p) })),
    ],
    ['65535:65535', [tcp(65535, { published: '65535' })]],
    // go-connections v0.7 reads numbers with strconv.ParseInt, which takes a "+" sign
    ['+8080:+80', [tcp(80, { published: '8080' })]],
  ];
  for (const [spec, expected] of valid) {
    it(`parses ${JSON.stringify(spec)}`, () => {
      assert.deepStrictEqual(valueOf(parsePortShort(spec)), expected);
    });
  }

  it('prints keys in the order docker compose config does', () => {
    const [port] = valueOf(parsePortShort('127.0.0.1:8080:80/udp'));
    assert.deepStrictEqual(Object.keys(port ?? {}), ['mode', 'host_ip', 'target', 'published', 'protocol']);
  });

  const invalid: [string | number, RegExp][] = [
    ['80:abc', /^invalid port "80:abc": the container port must be a number or a range like 8000-8010$/],
    ['abc:80', /^invalid port "abc:80": the published port must be a number or a range like 8000-8010$/],
    ['', /^invalid port "": no container port is given; expected \[\[HOST_IP:\]PUBLISHED:\]TARGET\[\/PROTOCOL\]$/],
    ['/udp', /no container port is given/],
    ['8080:', /no container port is given/],
    ['tcp', /the container port must be a number/],
    ['9999999', /the container port 9999999 is out of range \(0-65535\)/],
    ['65536:80', /the published port 65536 is out of range/],
    ['80/xyz', /^invalid port "80\/xyz": the protocol must be tcp, udp or sctp$/],
    ['80/http', /the protocol must be tcp, udp or sctp/],
    ['127.0.1:8080:80', /^invalid port "127.0.1:8080:80": "127.0.1" is not an IP address$/],
    ['localhost:8080:80', /"localhost" is not an IP address/],
    ['1.2.3.4:80:80:80', /"1.2.3.4:80" is not an IP address/],
    ['[::1:8080:80', /"\[::1" is not an IP address; write an IPv6 address as \[::1\]/],
    ['[]:8080:80', /"\[\]" is not an IP address/],
    ['fe80::1%eth0:80:80', /"fe80::1%eth0" is not an IP address/],
    ['01.2.3.4:80:80', /"01.2.3.4" is not an IP address/],
    [
      '8000-8010:80-81',
      /^invalid port "8000-8010:80-81": the published range 8000-8010 and the container range 80-81 must have the same length$/,
    ],
    ['8000:80-81', /the published range 8000 and the container range 80-81 must have the same length/],
    ['80:8010-8000', /the container port range 8010-8000 ends before it starts/],
    ['8010-8000:80', /the published port range 8010-8000 ends before it starts/],
    ['8000-:80', /the published port must be a number or a range/],
    ['80-8000-9000', /the container port must be a number or a range/],
    ['80:-1', /the container port must be a number/],
    [' 80', /the container port must be a number/],
    ['-1', /the container port must be a number/],
    [80.5, /^invalid port 80.5: a port number must be a whole number from 0 to 65535$/],
    [-1, /invalid port -1: a port number must be a whole number/],
    [70000, /invalid port 70000/],
  ];
  for (const [spec, expected] of invalid) {
    it(`refuses ${JSON.stringify(spec)}`, () => {
      assert.match(errorOf(parsePortShort(spec)), expected);
    });
  }

  it('refuses values that are neither strings nor numbers without throwing', () => {
    for (const bad of [null, undefined, true, {}, []]) {
      assert.match(errorOf(parsePortShort(bad as unknown as string)), /^invalid port .*: expected a number or a string/);
    }
  });
});

describe('normalizePortLong', () => {
  const valid: [Record<string, unknown>, PortConfig][] = [
    [{ target: 80 }, { mode: 'ingress', target: 80, protocol: 'tcp' }],
    [{ target: 80, published: 8080 }, { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }],
    [{ target: '80', published: '8080' }, { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }],
    [{ target: 80, published: '8000-8010' }, { mode: 'ingress', target: 80, published: '8000-8010', protocol: 'tcp' }],
    [{ target: 80, published: '' }, { mode: 'ingress', target: 80, protocol: 'tcp' }],
    [{ target: 80, published: null, host_ip: '' }, { mode: 'ingress', target: 80, protocol: 'tcp' }],
    [{ target: 80, 'x-note': { a: 1 } }, { mode: 'ingress', target: 80, protocol: 'tcp' }],
    [
      { target: 53, published: 53, protocol: 'udp', mode: 'host', host_ip: '::1' },
      { mode: 'host', host_ip: '::1', target: 53, published: '53', protocol: 'udp' },
    ],
    [
      { name: 'web', app_protocol: 'http', target: 8080, published: 80, host_ip: '127.0.0.1' },
      { name: 'web', mode: 'ingress', host_ip: '127.0.0.1', target: 8080, published: '80', protocol: 'tcp', app_protocol: 'http' },
    ],
  ];
  for (const [raw, expected] of valid) {
    it(`normalizes ${JSON.stringify(raw)}`, () => {
      assert.deepStrictEqual(valueOf(normalizePortLong(raw)), expected);
    });
  }

  it('prints keys in compose-go field order', () => {
    const port = valueOf(
      normalizePortLong({ app_protocol: 'http', protocol: 'tcp', published: 80, target: 80, host_ip: '0.0.0.0', mode: 'host', name: 'n' }),
    );
    assert.deepStrictEqual(Object.keys(port), ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol']);
  });

  const invalid: [unknown, RegExp][] = [
    [{}, /^invalid port mapping \{\}: "target" \(the container port\) is required$/],
    [{ published: 8080 }, /"target" \(the container port\) is required/],
    [{ target: 'abc' }, /^invalid port mapping with target "abc": "target" must be a port number from 0 to 65535$/],
    [{ target: 70000 }, /"target" must be a port number from 0 to 65535/],
    [{ target: 1.5 }, /"target" must be a port number/],
    [{ target: -1 }, /"target" must be a port number/],
    [{ target: 80, published: 'abc' }, /"published" must be a number or a range like 8000-8010/],
    [{ target: 80, published: '90-80' }, /"published" range 90-80 ends before it starts/],
    [{ target: 80, published: 70000 }, /"published" must be a port number from 0 to 65535 or a range/],
    [{ target: 80, published: true }, /"published" must be a port number or a range/],
    [{ target: 80, mode: 'global' }, /"mode" must be "ingress" or "host"/],
    [{ target: 80, host_ip: 'nope' }, /"host_ip" "nope" is not an IP address/],
    [{ target: 80, protocol: 6 }, /"protocol" must be a string/],
    [{ target: 80, port: 80 }, /unknown key "port"; expected name, mode, host_ip, target, published, protocol, app_protocol/],
    [null, /^invalid port null: expected a mapping/],
    [[80], /^invalid port a list: expected a mapping/],
  ];
  for (const [raw, expected] of invalid) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      assert.match(errorOf(normalizePortLong(raw as Record<string, unknown>)), expected);
    });
  }
});
