import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareApk, compareDpkg, compareRpm, versionOrder } from '../../src/image/versions/index.js';

/** Each pair is [older, newer]; both directions and equality of each with itself are checked. */
function ordered(compare: (a: string, b: string) => number | undefined, pairs: [string, string][]): void {
  for (const [older, newer] of pairs) {
    assert.equal(compare(older, newer), -1, `${older} < ${newer}`);
    assert.equal(compare(newer, older), 1, `${newer} > ${older}`);
    assert.equal(compare(older, older), 0, `${older} = ${older}`);
  }
}

describe('dpkg versions', () => {
  it('orders epochs, upstream and revision as dpkg does', () => {
    ordered(compareDpkg, [
      ['1.0~rc1', '1.0'],
      ['1.0~~', '1.0~'],
      ['1.0~', '1.0'],
      ['1.0', '1.0a'],
      ['1.0', '1.0+b1'],
      ['1.0', '1.0-1'],
      ['2.0', '1:0.9'],
      ['1.2.3', '1.2.10'],
      ['2.36-9+deb12u4', '2.36-9+deb12u7'],
      ['7.88.1-10+deb12u5', '7.88.1-10+deb12u7'],
      ['3.0.11-1~deb12u2', '3.0.11-1'],
      ['1.1.1n-0+deb11u5', '3.0.11-1~deb12u2'],
      ['0.9', '0.10'],
      ['1.0a', '1.0b'],
      ['1.0b', '1.0+'],
    ]);
  });
  it('treats leading zeros and a missing epoch as the same version', () => {
    assert.equal(compareDpkg('0:1.02', '1.2'), 0);
    assert.equal(compareDpkg('1.0-01', '1.0-1'), 0);
  });
});

describe('apk versions', () => {
  it('orders numbers, letters, suffixes and revisions as apk-tools does', () => {
    ordered(compareApk, [
      ['1.2.3-r0', '1.2.3-r1'],
      ['1.2.3_rc1', '1.2.3'],
      ['1.2.3_alpha', '1.2.3_beta'],
      ['1.2.3_pre2', '1.2.3_rc1'],
      ['1.2.3', '1.2.3_p1'],
      ['1.2.3_git20240101', '1.2.3_p1'],
      ['1.2.3', '1.2.3a'],
      ['1.2.9', '1.2.10'],
      ['3.0.8-r1', '3.0.12-r0'],
      ['1.01', '1.1'],
      ['1.2', '1.2.0'],
      ['1.36.1-r5', '1.36.1-r15'],
      ['2.4_rc1-r9', '2.4-r0'],
    ]);
  });
  it('reads the same version written with a zero revision', () => {
    assert.equal(compareApk('1.2.3', '1.2.3-r0'), 0);
  });
});

describe('rpm versions', () => {
  it('orders segments as rpmvercmp does', () => {
    ordered(compareRpm, [
      ['1.0', '2.0'],
      ['2.0', '2.0.1'],
      ['2.0.1', '2.0.1a'],
      ['5.5p1', '5.5p10'],
      ['5.5p2', '5.6p1'],
      ['10xyz', '10.1xyz'],
      ['xyz10', 'xyz10.1'],
      ['1.0~rc1', '1.0'],
      ['1.0~rc1', '1.0~rc2'],
      ['1.0', '1.0^'],
      ['1.0^git1', '1.0^git2'],
      ['1.0^git1', '1.01'],
      ['1.0^20160101', '1.0.1'],
      ['6.0', '6.0.rc1'],
      ['2a', '2.0'],
      ['2.0-1', '1:1.0-1'],
      ['3.0.7-24.el9', '3.0.7-25.el9'],
      ['1.1.1k-9.el8_7', '1.1.1k-12.el8_9'],
    ]);
  });
  it('reads separators as equal and a release-less bound as every release', () => {
    assert.equal(compareRpm('1.0.1', '1_0_1'), 0);
    assert.equal(compareRpm('1.2-5.el9', '1.2'), 0);
  });
});

describe('ecosystem orders', () => {
  it('picks the order from the OSV ecosystem name', () => {
    ordered(versionOrder('Debian:12')!, [['1.0~rc1', '1.0']]);
    ordered(versionOrder('Alpine:v3.19')!, [['1.2.3_rc1', '1.2.3']]);
    ordered(versionOrder('Red Hat')!, [['1.0~rc1', '1.0']]);
    ordered(versionOrder('npm')!, [
      ['1.0.0-alpha', '1.0.0-alpha.1'],
      ['1.0.0-rc.1', '1.0.0'],
      ['4.17.20', '4.17.21'],
    ]);
    ordered(versionOrder('Go')!, [['v1.2.3', 'v1.10.0']]);
    ordered(versionOrder('PyPI')!, [
      ['1.0.dev1', '1.0a1'],
      ['1.0a1', '1.0rc1'],
      ['1.0rc1', '1.0'],
      ['1.0', '1.0.post1'],
      ['2.9', '2.10'],
      ['1!0.5', '1!1.0'],
      ['2.0', '1!1.0'],
    ]);
  });
  it('says when a version cannot be read, and when an ecosystem has no order', () => {
    assert.equal(versionOrder('npm')!('not-a-version', '1.0.0'), undefined);
    assert.equal(versionOrder('PyPI')!('1.0', 'what?'), undefined);
    assert.equal(versionOrder('Hackage'), undefined);
  });
});
