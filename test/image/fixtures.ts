import { writeZip } from '../../src/manager/package/index.js';
import { tarStream, type DockerClient, type TarEntry } from '../../src/docker/index.js';
import { busyboxEntries, tarDir as dir, tarFile as file } from '../helpers/test-image.js';

/**
 * Images for the SBOM and scan tests, assembled here from files and `docker import`ed (nothing
 * can be pulled): a Debian-like and an Alpine-like root file system with package databases,
 * language manifests, a jar, a Go binary's build information and planted secrets; a second layer
 * (built with busybox's `rm`) deletes and replaces some of them.
 */
export const DEBIAN_IMAGE = 'shipshape-test/sbom:debian';
export const ALPINE_IMAGE = 'shipshape-test/sbom:alpine';

export const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const GITHUB_TOKEN = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

const DPKG_STATUS = `Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u1
Description: Secure Sockets Layer toolkit
 continuation line

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl (3.0.11-1~deb12u1)
Version: 3.0.11-1~deb12u1+b1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
Source: bash (5.2.15-2)

Package: old-removed
Status: deinstall ok config-files
Version: 1.0-1
`;

const APK_INSTALLED = `C:Q1abc=
P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox

C:Q1def=
P:libcrypto3
V:3.1.4-r5
A:x86_64
L:Apache-2.0
o:openssl

P:zlib
V:1.3.1-r0
o:zlib
`;

const PACKAGE_LOCK = JSON.stringify({
  name: 'app',
  lockfileVersion: 3,
  packages: {
    '': { name: 'app', version: '1.0.0' },
    'node_modules/lodash': { version: '4.17.20', license: 'MIT' },
    'node_modules/@babel/core': { version: '7.23.0' },
    'node_modules/@babel/core/node_modules/semver': { version: '6.3.0' },
    'node_modules/local-thing': { link: true, resolved: '../local' },
  },
});

const PY_METADATA = 'Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3.1\nLicense: MIT\n\nLong description with Name: not-this\n';

/** A stand-in for a Go binary: an ELF header, padding, and Go 1.18+ inline build information. */
export function goBinary(): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  const string = (s: string) => Buffer.concat([varint(Buffer.byteLength(s)), Buffer.from(s)]);
  const sentinel = Buffer.alloc(16, 0x30);
  const modinfo = 'path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/net\tv0.17.0\th1:abc=\ndep\tgithub.com/old/lib\tv1.0.0\th1:def=\n=>\tgithub.com/new/lib\tv1.2.0\th1:ghi=\n';
  const header = Buffer.alloc(32);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(header);
  header[14] = 8;
  header[15] = 2;
  const info = Buffer.concat([header, string('go1.21.4'), varint(16 + Buffer.byteLength(modinfo) + 16), sentinel, Buffer.from(modinfo), sentinel]);
  // The magic lands across a 64 KiB boundary, where streams split their chunks.
  return Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(65_536 - 10, 1), info, Buffer.alloc(4096, 2)]);
}

function jar(): Buffer {
  const inner = writeZip([{ path: 'META-INF/maven/org.yaml/snakeyaml/pom.properties', data: Buffer.from('groupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n') }]);
  return writeZip([
    { path: 'META-INF/maven/com.example/app/pom.properties', data: Buffer.from('#generated\nversion=2.0.0\ngroupId=com.example\nartifactId=app\n') },
    { path: 'BOOT-INF/lib/snakeyaml-1.33.jar', data: inner },
  ]);
}

export function debianRoot(): TarEntry[] {
  return [
    ...busyboxEntries(),
    dir('etc'),
    file('etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'),
    dir('var'), dir('var/lib'), dir('var/lib/dpkg'),
    file('var/lib/dpkg/status', DPKG_STATUS),
    dir('app'), dir('app/node_modules'), dir('app/node_modules/lodash'),
    file('app/package-lock.json', PACKAGE_LOCK),
    file('app/node_modules/lodash/package.json', JSON.stringify({ name: 'lodash', version: '4.17.20', license: 'MIT' })),
    file('app/node_modules/lodash/lib/package.json', JSON.stringify({ name: 'not-a-package', version: '9.9.9' })),
    file('app/.env', `AWS_ACCESS_KEY_ID=${AWS_KEY}\nDEBUG=true\n`),
    file('app/settings.conf', 'db_password = s3cr3t-Pa55w0rd-xyz\n'),
    file('app/app.jar', jar()),
    file('app/server', goBinary(), 0o755),
    dir('usr'), dir('usr/lib'), dir('usr/lib/python3'), dir('usr/lib/python3/site-packages'), dir('usr/lib/python3/site-packages/PyYAML-5.3.1.dist-info'),
    file('usr/lib/python3/site-packages/PyYAML-5.3.1.dist-info/METADATA', PY_METADATA),
    dir('root'), dir('root/.ssh'),
    file('root/.ssh/id_rsa', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n', 0o600),
    file('root/notes.txt', `token ${GITHUB_TOKEN}\n`),
  ];
}

export function alpineRoot(): TarEntry[] {
  return [
    ...busyboxEntries(),
    dir('etc'),
    file('etc/alpine-release', '3.19.1\n'),
    file('etc/os-release', 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n'),
    dir('lib'), dir('lib/apk'), dir('lib/apk/db'),
    file('lib/apk/db/installed', APK_INSTALLED),
  ];
}

/** Imports a root file system, then adds a layer that deletes the planted key and rewrites notes.txt. */
export async function buildTestImages(docker: DockerClient): Promise<void> {
  await docker.images.import(tarStream(debianRoot()), { repo: 'shipshape-test/sbom', tag: 'debian-base', changes: ['ENV PATH=/bin'] });
  const dockerfile = 'FROM shipshape-test/sbom:debian-base\nRUN rm /root/.ssh/id_rsa /app/.env && echo "nothing here" > /root/notes.txt\n';
  await docker.images.build(tarStream([file('Dockerfile', dockerfile)]), { tag: DEBIAN_IMAGE, pull: false });
  await docker.images.import(tarStream(alpineRoot()), { repo: 'shipshape-test/sbom', tag: 'alpine', changes: ['ENV PATH=/bin'] });
}
