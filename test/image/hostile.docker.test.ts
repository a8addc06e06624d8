import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { IMAGE_RULES, imageReport, render } from '../../src/analyze/index.js';
import { createDockerClient, tarStream } from '../../src/docker/index.js';
import { tarDir as dir, tarFile as file } from '../helpers/test-image.js';
import { AdvisoryIndex, imageSbom, parseAdvisory, renderCycloneDx, renderSbomTable, scanSbom, type ImageSbom } from '../../src/image/index.js';
import { writeZip } from '../../src/manager/package/index.js';
import { GITHUB_TOKEN } from './fixtures.js';

/**
 * A hostile image on the real engine (`docker import`, never a pull): a package whose name
 * carries terminal escapes and HTML, a secret in a file whose name does too, and a jar of nested
 * jars that inflate to over a GiB. The engine's `docker save` stream is read as `sbom` reads it.
 */
const docker = createDockerClient();
const IMAGE = `shipshape-test/hostile-${randomBytes(4).toString('hex')}:latest`;
const EVIL = 'evil\u001b]0;owned\u0007\u001b[2J<b>x</b>';

describe('a hostile image on the local engine', () => {
  let sbom: ImageSbom;
  before(async () => {
    const bomb = writeZip(Array.from({ length: 20 }, (_, i) => ({ path: `BOOT-INF/lib/zeros${i}.jar`, data: Buffer.alloc(60 * 2 ** 20) })));
    await docker.images.import(
      tarStream([
        dir('etc'),
        file('etc/os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n'),
        dir('var'), dir('var/lib'), dir('var/lib/dpkg'),
        file('var/lib/dpkg/status', `Package: ${EVIL}\nStatus: install ok installed\nVersion: 1.0-1\n`),
        dir('app'),
        file(`app/${EVIL}.txt`, `token ${GITHUB_TOKEN}\n`),
        file('app/app.jar', bomb),
      ]),
      { repo: IMAGE.split(':')[0]!, tag: 'latest' },
    );
    sbom = await imageSbom(docker, IMAGE);
  });
  after(async () => {
    await docker.images.remove(IMAGE, { force: true });
  });

  it('reads it with the jar bomb bounded, and prints names as text with the secret masked', () => {
    assert.deepEqual(sbom.packages.map((p) => p.name), [EVIL]);
    assert.match(sbom.skipped.find((s) => s.path === 'app/app.jar')?.reason ?? '', /more than 268435456 bytes/);
    assert.deepEqual(sbom.secrets.map((s) => `${s.path} ${s.masked}`), [`app/${EVIL}.txt gh***`]);
    const index = new AdvisoryIndex();
    index.add(parseAdvisory({ id: 'DSA-9999', summary: EVIL, affected: [{ package: { ecosystem: 'Debian:12', name: EVIL }, versions: ['1.0-1'] }] }));
    const report = imageReport(IMAGE, scanSbom(sbom, index), '0.0.0');
    const table = renderSbomTable(sbom);
    const text = render('text', report, IMAGE_RULES, { color: false });
    const markdown = render('md', report, IMAGE_RULES, {});
    const html = render('html', report, IMAGE_RULES, {});
    for (const [name, output] of Object.entries({ table, text, markdown, html })) {
      assert.ok(!output.includes('\u001b') && !output.includes('\u0007'), `${name} carries a control character`);
    }
    assert.ok(!html.includes('<b>x'), 'html carries HTML');
    // Markdown shows HTML as text when it is escaped or inside a code span.
    assert.ok(!/(?<!\\)<b>x/.test(markdown.replace(/`[^`\n]*`/g, '')), 'markdown carries HTML');
    for (const output of [table, text, markdown, html, renderCycloneDx(sbom, '0'), JSON.stringify(report), render('sarif', report, IMAGE_RULES, {})]) assert.ok(!output.includes(GITHUB_TOKEN));
  });
});
