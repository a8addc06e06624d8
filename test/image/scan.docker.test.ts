import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/index.js';
import { writeZip } from '../../src/manager/package/index.js';
import type { Report } from '../../src/analyze/index.js';
import { writeTree } from '../helpers/tmp.js';
import { AWS_KEY, buildTestImages, GITHUB_TOKEN } from './fixtures.js';

const cli = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

const range = (introduced: string, fixed: string) => [{ type: 'ECOSYSTEM', events: [{ introduced }, { fixed }] }];
const vector = (score: string) => [{ type: 'CVSS_V3', score }];
const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

/** Synthetic OSV advisories for the test images: those that must match, and near misses that must not. */
const ADVISORIES = {
  'debian/DSA-0001.json': { id: 'DSA-0001', aliases: ['CVE-2099-0001'], summary: 'openssl flaw', severity: vector(CRITICAL), affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: range('0', '3.0.11-1~deb12u2') }] },
  'debian/DSA-0002.json': { id: 'DSA-0002', summary: 'fixed in exactly the installed source version', affected: [{ package: { ecosystem: 'Debian:12', name: 'bash' }, ranges: range('0', '5.2.15-2') }] },
  'debian/DSA-0003.json': { id: 'DSA-0003', summary: 'another release', affected: [{ package: { ecosystem: 'Debian:11', name: 'openssl' }, ranges: range('0', '9.9') }] },
  'npm/GHSA-lodash.json': { id: 'GHSA-lodash', summary: 'prototype pollution', database_specific: { severity: 'HIGH' }, affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] },
  'npm/GHSA-semver.json': { id: 'GHSA-semver', summary: 'only 7.x', affected: [{ package: { ecosystem: 'npm', name: 'semver' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '7.0.0' }, { fixed: '7.5.2' }] }] }] },
  'npm/GHSA-babel.json': { id: 'GHSA-babel', summary: 'babel', database_specific: { severity: 'LOW' }, affected: [{ package: { ecosystem: 'npm', name: '@babel/core' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '7.23.2' }] }] }] },
  'pypi/PYSEC-yaml.json': { id: 'PYSEC-yaml', summary: 'unsafe load', severity: vector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'), affected: [{ package: { ecosystem: 'PyPI', name: 'pyyaml' }, ranges: range('0', '5.4') }] },
  'go/GO-net.json': { id: 'GO-net', summary: 'fixed at the installed version', affected: [{ package: { ecosystem: 'Go', name: 'golang.org/x/net' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.17.0' }] }] }] },
  'go/GO-stdlib.json': { id: 'GO-stdlib', summary: 'net/http', affected: [{ package: { ecosystem: 'Go', name: 'stdlib' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.21.5' }] }] }] },
  'maven/GHSA-snake.json': { id: 'GHSA-snake', summary: 'snakeyaml', database_specific: { severity: 'CRITICAL' }, affected: [{ package: { ecosystem: 'Maven', name: 'org.yaml:snakeyaml' }, versions: ['1.32', '1.33'] }] },
  'alpine/ALPINE-busybox.json': { id: 'ALPINE-busybox', summary: 'busybox', affected: [{ package: { ecosystem: 'Alpine:v3.19', name: 'busybox' }, ranges: range('0', '1.36.1-r16') }] },
  'alpine/ALPINE-zlib.json': { id: 'ALPINE-zlib', summary: 'fixed', affected: [{ package: { ecosystem: 'Alpine:v3.19', name: 'zlib' }, ranges: range('0', '1.3.1-r0') }] },
  'alpine/ALPINE-openssl.json': { id: 'ALPINE-openssl', summary: 'libcrypto3 by origin', affected: [{ package: { ecosystem: 'Alpine:v3.19', name: 'openssl' }, ranges: range('3.1.0-r0', '3.1.4-r6') }] },
  'broken/not-osv.json': { hello: 'world' },
};

const EXPECTED_DEBIAN = [
  'image-vulnerability critical app/app.jar org.yaml:snakeyaml',
  'image-vulnerability critical var/lib/dpkg/status libssl3',
  'image-vulnerability critical var/lib/dpkg/status openssl',
  'image-vulnerability high app/package-lock.json lodash',
  'image-vulnerability high usr/lib/python3/site-packages/PyYAML-5.3.1.dist-info/METADATA PyYAML',
  'image-vulnerability medium app/server stdlib',
  'image-vulnerability low app/package-lock.json @babel/core',
];

function summary(report: Report): string[] {
  return report.projects[0]!.environments[0]!.findings
    .filter((f) => f.rule === 'image-vulnerability')
    .map((f) => `${f.rule} ${f.severity} ${f.file} ${/: (\S+) \S+ \(/.exec(f.message)?.[1]}`)
    .sort();
}

describe('scan with offline OSV advisories', () => {
  let folder: string;
  before(async () => {
    await buildTestImages(createDockerClient());
    folder = writeTree(Object.fromEntries(Object.entries(ADVISORIES).map(([path, doc]) => [path, JSON.stringify(doc)])));
  });

  it('finds every expected vulnerability of an image and no false match, grouped by package', () => {
    const result = run('scan', 'shipshape-test/sbom:debian', '--advisories', folder, '--format', 'json', '--fail-on', 'never');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /1 advisory file\(s\) not read, e\.g\. .*not-osv\.json/);
    const report = JSON.parse(result.stdout) as Report;
    assert.deepEqual(summary(report), [...EXPECTED_DEBIAN].sort());
    const openssl = report.projects[0]!.environments[0]!.findings.find((f) => f.message.includes(': openssl '));
    assert.match(openssl!.message, /DSA-0001 \(critical, fixed in 3\.0\.11-1~deb12u2\)/);
    const secrets = report.projects[0]!.environments[0]!.findings.filter((f) => f.rule === 'hardcoded-secret').map((f) => `${f.file}:${f.line}`);
    assert.deepEqual(secrets.sort(), ['app/.env:1', 'app/settings.conf:1', 'root/.ssh/id_rsa:1', 'root/notes.txt:1']);
    for (const secret of [AWS_KEY, GITHUB_TOKEN, 's3cr3t-Pa55w0rd-xyz']) assert.ok(!result.stdout.includes(secret));
  });

  it('reads the same advisories from a ZIP archive, and Alpine packages by origin', () => {
    const zip = join(writeTree({}), 'osv.zip');
    writeFileSync(zip, writeZip(Object.entries(ADVISORIES).map(([path, doc]) => ({ path, data: Buffer.from(JSON.stringify(doc)) }))));
    const result = run('scan', 'shipshape-test/sbom:alpine', '--advisories', zip, '--format', 'json', '--fail-on', 'never');
    assert.equal(result.status, 0, result.stderr);
    const found = summary(JSON.parse(result.stdout) as Report);
    assert.deepEqual(found, ['image-vulnerability medium lib/apk/db/installed busybox', 'image-vulnerability medium lib/apk/db/installed libcrypto3']);
  });

  it('reports on a compose project at each service\'s image, in every format, and gates on it', () => {
    const project = writeTree({ 'compose.yaml': 'services:\n  api:\n    image: shipshape-test/sbom:debian\n  edge:\n    image: shipshape-test/sbom:alpine\n' });
    const json = run('scan', project, '--advisories', folder, '--format', 'json');
    assert.equal(json.status, 1, 'a critical finding fails the default gate');
    const findings = (JSON.parse(json.stdout) as Report).projects[0]!.environments[0]!.findings;
    assert.ok(findings.every((f) => f.file === 'compose.yaml' && (f.line === 3 || f.line === 5)));
    assert.equal(findings.filter((f) => f.rule === 'image-vulnerability').length, EXPECTED_DEBIAN.length + 2);
    const sarif = run('scan', project, '--advisories', folder, '--format', 'sarif', '--fail-on', 'never');
    assert.equal(sarif.status, 0, sarif.stderr);
    assert.match(sarif.stdout, /"ruleId": "image-vulnerability"/);
    for (const format of ['text', 'md', 'html']) {
      const out = run('scan', project, '--advisories', folder, '--format', format, '--fail-on', 'never');
      assert.equal(out.status, 0, `${format}: ${out.stderr}`);
      assert.match(out.stdout, /image-vulnerability/, format);
      assert.ok(!out.stdout.includes(AWS_KEY), format);
    }
  });

  it('refuses without advisories, with an empty database, or for an image that is not there', () => {
    assert.equal(run('scan', 'shipshape-test/sbom:debian').status, 2);
    const empty = writeTree({ 'x.json': '{"nope": 1}' });
    const none = run('scan', 'shipshape-test/sbom:debian', '--advisories', empty);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no OSV advisory found/);
    const missing = run('scan', 'shipshape-test/not-here:1', '--advisories', folder);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /never pulls/);
    assert.doesNotMatch(missing.stderr, /at .*\.js:\d+/);
  });
});
