import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/index.js';
import { imageSbom, ImageNotFoundError, renderCycloneDx, renderSpdx, renderSbomTable, type ImageSbom } from '../../src/image/index.js';
import { ALPINE_IMAGE, AWS_KEY, buildTestImages, DEBIAN_IMAGE, GITHUB_TOKEN } from './fixtures.js';

const docker = createDockerClient();
const list = (sbom: ImageSbom) => sbom.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`).sort();

describe('sbom of local images', () => {
  let debian: ImageSbom;
  let alpine: ImageSbom;
  before(async () => {
    await buildTestImages(docker);
    debian = await imageSbom(docker, DEBIAN_IMAGE);
    alpine = await imageSbom(docker, ALPINE_IMAGE);
  });

  it('lists every package of every kind, and nothing else', () => {
    assert.deepEqual(list(debian), [
      'Debian:12 bash 5.2.15-2+b2',
      'Debian:12 libssl3 3.0.11-1~deb12u1+b1',
      'Debian:12 openssl 3.0.11-1~deb12u1',
      'Go github.com/new/lib v1.2.0',
      'Go golang.org/x/net v0.17.0',
      'Go stdlib v1.21.4',
      'Maven com.example:app 2.0.0',
      'Maven org.yaml:snakeyaml 1.33',
      'PyPI PyYAML 5.3.1',
      'npm @babel/core 7.23.0',
      'npm lodash 4.17.20',
      'npm semver 6.3.0',
    ].sort());
    assert.equal(debian.os?.id, 'debian');
    assert.deepEqual(list(alpine), ['Alpine:v3.19 busybox 1.36.1-r15', 'Alpine:v3.19 libcrypto3 3.1.4-r5', 'Alpine:v3.19 zlib 1.3.1-r0']);
  });

  it('keeps source packages, purls and where each package was found', () => {
    const libssl = debian.packages.find((p) => p.name === 'libssl3');
    assert.deepEqual(libssl?.source, { name: 'openssl', version: '3.0.11-1~deb12u1' });
    assert.equal(libssl?.purl, 'pkg:deb/debian/libssl3@3.0.11-1~deb12u1+b1?distro=debian-12');
    const lodash = debian.packages.find((p) => p.name === 'lodash');
    assert.deepEqual(lodash?.locations.map((l) => l.path).sort(), ['app/node_modules/lodash/package.json', 'app/package-lock.json']);
    assert.equal(debian.packages.find((p) => p.name === '@babel/core')?.purl, 'pkg:npm/%40babel/core@7.23.0');
    assert.equal(alpine.packages.find((p) => p.name === 'libcrypto3')?.source?.name, 'openssl');
  });

  it('finds secrets in every layer, naming the layer and path, and marks what a later layer removed', () => {
    const found = debian.secrets.map((s) => `${s.layerIndex} ${s.path}:${s.line} ${s.what}${s.removed ? ' (removed)' : ''}`);
    assert.deepEqual(found, [
      '1 app/.env:1 an AWS access key ID (removed)',
      '1 app/settings.conf:1 db_password',
      '1 root/.ssh/id_rsa:1 a private key (removed)',
      '1 root/notes.txt:1 a GitHub token (removed)',
    ]);
    assert.equal(debian.layers.length, 2);
    const printed = JSON.stringify(debian) + renderCycloneDx(debian, '0.0.0') + renderSpdx(debian, '0.0.0') + renderSbomTable(debian);
    for (const secret of [AWS_KEY, GITHUB_TOKEN, 's3cr3t-Pa55w0rd-xyz']) assert.ok(!printed.includes(secret), 'no secret value is printed');
  });

  it('writes CycloneDX that the official 1.6 schema accepts', async () => {
    const { Validation, Spec } = await import('@cyclonedx/cyclonedx-library');
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    const errors = await validator.validate(renderCycloneDx(debian, '0.1.0'));
    assert.equal(errors, null, JSON.stringify(errors));
    const spdx = JSON.parse(renderSpdx(debian, '0.1.0')) as { packages: unknown[]; relationships: unknown[] };
    assert.equal(spdx.packages.length, debian.packages.length + 1);
  });

  it('refuses an image the engine does not have, without pulling', async () => {
    await assert.rejects(imageSbom(docker, 'shipshape-test/never-built:nope'), (err: Error) => err instanceof ImageNotFoundError && /never pulls/.test(err.message));
  });
});
