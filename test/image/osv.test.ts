import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdvisoryError, AdvisoryIndex, cvss3BaseScore, parseAdvisory, type InstalledPackage } from '../../src/image/osv/index.js';

describe('CVSS v3 base scores', () => {
  it('computes the scores FIRST publishes for well-known vectors', () => {
    const cases: [string, number][] = [
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
      ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
      ['CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', 5.9],
      ['CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.6],
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
      ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
    ];
    for (const [vector, score] of cases) assert.equal(cvss3BaseScore(vector), score, vector);
  });
  it('reads nothing from incomplete, repeated or other-version vectors', () => {
    for (const vector of ['CVSS:3.1/AV:N/AC:L', 'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H']) {
      assert.equal(cvss3BaseScore(vector), undefined, vector);
    }
  });
});

const advisory = (id: string, affected: unknown[], extra: Record<string, unknown> = {}) => parseAdvisory({ id, affected, ...extra });
const debian = (name: string, version: string, source?: InstalledPackage['source']): InstalledPackage => ({ ecosystem: 'Debian:12', name, version, ...(source ? { source } : {}) });

describe('OSV matching', () => {
  const index = new AdvisoryIndex();
  index.add(advisory('DSA-1', [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }] }], { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }));
  index.add(advisory('DSA-11', [{ package: { ecosystem: 'Debian:11', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9:9' }] }] }]));
  index.add(advisory('GHSA-npm', [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '4.0.0' }, { fixed: '4.17.21' }, { introduced: '5.0.0' }, { last_affected: '5.1.0' }] }] }], { database_specific: { severity: 'MODERATE' } }));
  index.add(advisory('PYSEC-1', [{ package: { ecosystem: 'PyPI', name: 'PyYAML' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.4' }] }] }]));
  index.add(advisory('PYSEC-2', [{ package: { ecosystem: 'PyPI', name: 'Typing_Extensions' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.1' }] }] }]));
  index.add(advisory('ALPINE-1', [{ package: { ecosystem: 'Alpine:v3.19', name: 'busybox' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.36.1-r16' }] }] }]));
  index.add(advisory('LISTED', [{ package: { ecosystem: 'Hackage', name: 'aeson' }, versions: ['2.0.1.0'] }]));

  const ids = (pkg: InstalledPackage) => index.match(pkg).map((m) => `${m.advisory.id}${m.fixed ? `→${m.fixed}` : ''}`).sort();

  it('matches within the range and not at or past the fix, for the right release only', () => {
    assert.deepEqual(ids(debian('openssl', '3.0.11-1~deb12u1')), ['DSA-1→3.0.11-1~deb12u2']);
    assert.deepEqual(ids(debian('openssl', '3.0.11-1~deb12u2')), []);
    assert.deepEqual(ids(debian('openssl', '3.0.11-1')), []);
    assert.deepEqual(ids({ ecosystem: 'Debian:11', name: 'openssl', version: '1.1.1n-0+deb11u5' }), ['DSA-11→9:9']);
  });
  it('matches a binary package by its source package', () => {
    assert.deepEqual(ids(debian('libssl3', '3.0.11-1~deb12u1+b1', { name: 'openssl', version: '3.0.11-1~deb12u1' })), ['DSA-1→3.0.11-1~deb12u2']);
    assert.deepEqual(ids(debian('libssl3', '3.0.13-1~deb12u1', { name: 'openssl', version: '3.0.13-1~deb12u1' })), []);
  });
  it('evaluates several introduced/fixed/last_affected events in version order', () => {
    const npm = (version: string) => ids({ ecosystem: 'npm', name: 'lodash', version });
    assert.deepEqual(npm('3.10.1'), []);
    assert.deepEqual(npm('4.0.0'), ['GHSA-npm→4.17.21']);
    assert.deepEqual(npm('4.17.20'), ['GHSA-npm→4.17.21']);
    assert.deepEqual(npm('4.17.21'), []);
    assert.deepEqual(npm('5.1.0'), ['GHSA-npm']);
    assert.deepEqual(npm('5.1.1'), []);
  });
  it('normalizes PyPI names and compares by PEP 440', () => {
    assert.deepEqual(ids({ ecosystem: 'PyPI', name: 'pyyaml', version: '5.4rc1' }), ['PYSEC-1→5.4']);
    assert.deepEqual(ids({ ecosystem: 'PyPI', name: 'PyYAML', version: '5.4' }), []);
    assert.deepEqual(ids({ ecosystem: 'PyPI', name: 'typing-extensions', version: '4.0' }), ['PYSEC-2→4.1']);
    assert.deepEqual(ids({ ecosystem: 'PyPI', name: 'typingextensions', version: '4.0' }), []);
  });
  it('compares apk versions with their revision', () => {
    assert.deepEqual(ids({ ecosystem: 'Alpine:v3.19', name: 'busybox', version: '1.36.1-r15' }), ['ALPINE-1→1.36.1-r16']);
    assert.deepEqual(ids({ ecosystem: 'Alpine:v3.19', name: 'busybox', version: '1.36.1-r16' }), []);
    assert.deepEqual(ids({ ecosystem: 'Alpine:v3.18', name: 'busybox', version: '1.36.1-r1' }), []);
  });
  it('matches listed versions exactly in an ecosystem it cannot order', () => {
    assert.deepEqual(ids({ ecosystem: 'Hackage', name: 'aeson', version: '2.0.1.0' }), ['LISTED']);
    assert.deepEqual(ids({ ecosystem: 'Hackage', name: 'aeson', version: '2.0.1.1' }), []);
  });
  it('rates by the CVSS vector, the database rating, or medium when unrated', () => {
    const [dsa] = index.match(debian('openssl', '1.0'));
    assert.equal(dsa?.advisory.severity, 'critical');
    assert.equal(dsa?.advisory.score, 9.8);
    assert.equal(index.match({ ecosystem: 'npm', name: 'lodash', version: '4.1.0' })[0]?.advisory.severity, 'medium');
    const unrated = index.match({ ecosystem: 'PyPI', name: 'pyyaml', version: '1.0' })[0]?.advisory;
    assert.equal(unrated?.severity, 'medium');
    assert.equal(unrated?.unrated, true);
  });
});

describe('hostile advisories', () => {
  it('refuses malformed documents with a reason', () => {
    for (const doc of [null, [], { id: 5 }, { id: '' }, { id: 'X', affected: {} }, { id: 'X', affected: [{ package: { name: 'a' } }] }, { id: 'X', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ nothing: '1' }] }] }] }]) {
      assert.throws(() => parseAdvisory(doc), AdvisoryError, JSON.stringify(doc));
    }
  });
  it('bounds what one advisory may hold', () => {
    const versions = Array.from({ length: 20_001 }, (_, i) => `1.${i}`);
    assert.throws(() => parseAdvisory({ id: 'X', affected: [{ package: { ecosystem: 'npm', name: 'a' }, versions }] }), /at most 20000/);
  });
  it('skips GIT ranges and unreadable versions instead of guessing', () => {
    const index = new AdvisoryIndex();
    index.add(parseAdvisory({ id: 'G', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'GIT', events: [{ introduced: '0' }, { fixed: 'abc123' }] }, { type: 'SEMVER', events: [{ introduced: 'garbage' }] }] }] }));
    assert.deepEqual(index.match({ ecosystem: 'npm', name: 'a', version: '1.0.0' }), []);
  });
});
