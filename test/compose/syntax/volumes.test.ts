import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseDevice,
  parseVolumeShort,
  type DeviceMapping,
  type Parsed,
  type VolumeMount,
} from '../../../src/compose/syntax/index.js';

function valueOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) assert.fail(`expected success, got error: ${parsed.error}`);
  return parsed.value;
}

function errorOf<T>(parsed: Parsed<T>): string {
  if (parsed.ok) assert.fail(`expected an error, got ${JSON.stringify(parsed.value)}`);
  return parsed.error;
}

const bind = (source: string, target: string, extra: Partial<VolumeMount> = {}): VolumeMount => ({
  type: 'bind',
  source,
  target,
  ...extra,
  bind: { ...extra.bind, create_host_path: true },
});

const named = (source: string, target: string, extra: Partial<VolumeMount> = {}): VolumeMount => ({
  type: 'volume',
  source,
  target,
  volume: {},
  ...extra,
});

describe('parseVolumeShort', () => {
  const valid: [string, VolumeMount][] = [
    // anonymous volumes
    ['/data', { type: 'volume', target: '/data', volume: {} }],
    ['/path/foo', { type: 'volume', target: '/path/foo', volume: {} }],
    ['C:\\path', { type: 'volume', target: 'C:\\path', volume: {} }],
    ['Z:\\path\\foo', { type: 'volume', target: 'Z:\\path\\foo', volume: {} }],
    // one or two bytes are a bare target, without `volume: {}` (compose-go returns early)
    ['.', { type: 'volume', target: '.' }],
    ['/a', { type: 'volume', target: '/a' }],
    ['\u00e9', { type: 'volume', target: '\u00e9' }],
    // named volumes
    ['name:/data', named('name', '/data')],
    ['db_data:/var/lib/postgresql/data:ro', named('db_data', '/var/lib/postgresql/data', { read_only: true })],
    ['name:/target:nocopy', named('name', '/target', { volume: { nocopy: true } })],
    ['name:/target:ro,nocopy', named('name', '/target', { read_only: true, volume: { nocopy: true } })],
    ['0123456789name:/d', named('0123456789name', '/d')],
    ['myvolume:/data/${VAR:-default}/path', named('myvolume', '/data/${VAR:-default}/path')],
    // unknown options are ignored, as compose ignores them
    ['name:/target:bogus', named('name', '/target')],
    ['name:/target:RO', named('name', '/target')],
    // bind options on a named volume are kept, as compose-go keeps them
    ['name:/data:z', { type: 'volume', source: 'name', target: '/data', bind: { selinux: 'z' }, volume: {} }],
    // binds: a source starting with . / ~ \\ or a drive letter
    ['./rel:/data', bind('./rel', '/data')],
    ['./foo:/target', bind('./foo', '/target')],
    ['../other:/target', bind('../other', '/target')],
    ['.env:/app/.env', bind('.env', '/app/.env')],
    ['~/x:/data', bind('~/x', '/data')],
    ['~:/home', bind('~', '/home')],
    ['/abs:/data:ro', bind('/abs', '/data', { read_only: true })],
    ['/abs:/data:rw', bind('/abs', '/data')],
    ['/abs:/data:ro,rw', bind('/abs', '/data')],
    ['/var/run/docker.sock:/var/run/docker.sock', bind('/var/run/docker.sock', '/var/run/docker.sock')],
    ['/source:/target:ro,z', bind('/source', '/target', { read_only: true, bind: { selinux: 'z' } })],
    ['/source:/target:ro,Z', bind('/source', '/target', { read_only: true, bind: { selinux: 'Z' } })],
    ['/source:/target:slave', bind('/source', '/target', { bind: { propagation: 'slave' } })],
    ['/source:/target:z,rshared', bind('/source', '/target', { bind: { selinux: 'z', propagation: 'rshared' } })],
    ['./a:/b:cached', bind('./a', '/b', { consistency: 'cached' })],
    ['./a:/b:ro,delegated', bind('./a', '/b', { read_only: true, consistency: 'delegated' })],
    ['./a:/b:consistent', bind('./a', '/b', { consistency: 'consistent' })],
    ['/a:/b:nocopy', { ...bind('/a', '/b'), volume: { nocopy: true } }],
    // Windows paths
    ['C:\\data:/data', bind('C:\\data', '/data')],
    ['C:\\source\\foo:D:\\target:ro,rprivate', bind('C:\\source\\foo', 'D:\\target', { read_only: true, bind: { propagation: 'rprivate' } })],
    ['D:\\path:d:\\target', bind('D:\\path', 'd:\\target')],
    ['c:\\:d:\\', bind('c:\\', 'd:\\')],
    ['c:/:d:/forward/slashes/are/good/too', bind('c:/', 'd:/forward/slashes/are/good/too')],
    ['c:\\program files:d:\\s p a c e', bind('c:\\program files', 'd:\\s p a c e')],
    ['name:D:', named('name', 'D:')],
    ['name:D::rW', named('name', 'D:')],
    // a named pipe is a bind for compose-go (the engine mounts it as npipe)
    ['\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\inside', bind('\\\\.\\pipe\\docker_engine', '\\\\.\\pipe\\inside')],
    // a single letter before a colon reads as a drive only where that makes a mount with a source:
    // `x:/data` is volume x, as docker-compose v1 reads it (and a Linux engine needs it)
    ['x:/data', named('x', '/data')],
    ['v:/data:ro', named('v', '/data', { read_only: true })],
    ['a:b:c:d:e', bind('a:b', 'c:d')],
    // the target is cleaned like Go's path.Clean; the source is left to the loader
    ['name:/data/', named('name', '/data')],
    ['./a/../b:/a/./b/../c//d', bind('./a/../b', '/a/c/d')],
    ['/src:relative/path/', bind('/src', 'relative/path')],
    ['/src:/..', bind('/src', '/')],
    // colons inside ${…} do not split
    ['/tmp:/tmp/${TIME:-12:30:45}/path', bind('/tmp', '/tmp/${TIME:-12:30:45}/path')],
    ['/tmp/${VAR:-default}:/target', bind('/tmp/${VAR:-default}', '/target')],
    ['/tmp:/tmp/${VAR:-{default}}/path', bind('/tmp', '/tmp/${VAR:-{default}}/path')],
    ['/src:/target/${VAR:-default}/path:slave,ro', bind('/src', '/target/${VAR:-default}/path', { read_only: true, bind: { propagation: 'slave' } })],
  ];
  for (const [spec, expected] of valid) {
    it(`parses ${JSON.stringify(spec)}`, () => {
      assert.deepStrictEqual(valueOf(parseVolumeShort(spec)), expected);
    });
  }

  for (const propagation of ['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']) {
    it(`keeps the propagation ${propagation}`, () => {
      assert.deepStrictEqual(valueOf(parseVolumeShort(`/a:/b:${propagation}`)).bind, {
        propagation,
        create_host_path: true,
      });
    });
  }

  it('prints keys in the order docker compose config does', () => {
    const mount = valueOf(parseVolumeShort('./a:/b:ro,cached,z,shared'));
    assert.deepStrictEqual(Object.keys(mount), ['type', 'source', 'target', 'read_only', 'consistency', 'bind']);
    assert.deepStrictEqual(Object.keys(mount.bind ?? {}), ['selinux', 'propagation', 'create_host_path']);
  });

  const invalid: [string, RegExp][] = [
    ['', /^invalid volume "": the spec is empty; expected \[SOURCE:\]TARGET\[:MODE\]$/],
    [':foo', /^invalid volume ":foo": a section between colons is empty; expected \[SOURCE:\]TARGET\[:MODE\]$/],
    ['/foo::ro', /a section between colons is empty/],
    ['/foo::rw', /a section between colons is empty/],
    ['name:', /a section between colons is empty/],
    ['name:/data:', /a section between colons is empty/],
    ['/foo:/foo:ro:foo', /^invalid volume "\/foo:\/foo:ro:foo": it has too many colons; expected \[SOURCE:\]TARGET\[:MODE\]$/],
    ['/a:/b:ro:x:y', /too many colons/],
  ];
  for (const [spec, expected] of invalid) {
    it(`refuses ${JSON.stringify(spec)}`, () => {
      assert.match(errorOf(parseVolumeShort(spec)), expected);
    });
  }

  it('refuses a value that is not a string without throwing', () => {
    assert.match(errorOf(parseVolumeShort(42 as unknown as string)), /^invalid volume 42: expected a string/);
  });
});

describe('parseDevice', () => {
  const valid: [string, DeviceMapping][] = [
    ['/dev/x:/dev/y:rwm', { source: '/dev/x', target: '/dev/y', permissions: 'rwm' }],
    ['/dev/x:/dev/y:r', { source: '/dev/x', target: '/dev/y', permissions: 'r' }],
    ['/dev/x:/dev/y', { source: '/dev/x', target: '/dev/y', permissions: 'rwm' }],
    ['/dev/ttyUSB0', { source: '/dev/ttyUSB0', target: '/dev/ttyUSB0', permissions: 'rwm' }],
    ['/dev/x::rw', { source: '/dev/x', target: '/dev/x', permissions: 'rw' }],
    // like compose-go, two parts are always SOURCE:TARGET
    ['/dev/sda:rwm', { source: '/dev/sda', target: 'rwm', permissions: 'rwm' }],
  ];
  for (const [spec, expected] of valid) {
    it(`parses ${JSON.stringify(spec)}`, () => {
      assert.deepStrictEqual(valueOf(parseDevice(spec)), expected);
    });
  }

  const invalid: [string, RegExp][] = [
    ['/a:/b:rwm:x', /^invalid device "\/a:\/b:rwm:x": it has too many colons; expected SOURCE\[:TARGET\[:PERMISSIONS\]\] or the long syntax$/],
    ['', /^invalid device "": the host device path is empty/],
    [':/dev/y', /the host device path is empty/],
  ];
  for (const [spec, expected] of invalid) {
    it(`refuses ${JSON.stringify(spec)}`, () => {
      assert.match(errorOf(parseDevice(spec)), expected);
    });
  }

  it('refuses a value that is not a string without throwing', () => {
    assert.match(errorOf(parseDevice(null as unknown as string)), /^invalid device null: expected a string/);
  });
});
