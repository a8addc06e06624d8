import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FORMATS, FORMAT_NAMES, isFormat, render } from '../../../src/analyze/report/index.js';
import { renderJson } from '../../../src/analyze/report/json.js';
import { RULES, sampleReport } from './fixture.js';

describe('report formats', () => {
  it('are text, md, json, sarif and html', () => {
    assert.deepEqual(Object.keys(FORMATS), ['text', 'md', 'json', 'sarif', 'html']);
    assert.deepEqual(FORMAT_NAMES, ['text', 'md', 'json', 'sarif', 'html']);
    assert.ok(isFormat('sarif'));
    assert.ok(!isFormat('xml'));
    assert.ok(!isFormat('toString'));
  });

  it('render dispatches to the format, each a pure function ending in a newline', () => {
    for (const format of FORMAT_NAMES) {
      const report = sampleReport();
      const before = JSON.stringify(report);
      const out = render(format, report, RULES, { color: false });
      assert.ok(out.length > 0 && out.endsWith('\n'), format);
      assert.equal(render(format, report, RULES, { color: false }), out, `${format} is deterministic`);
      assert.equal(JSON.stringify(report), before, `${format} does not change the report`);
    }
  });
});

describe('json format', () => {
  it('is the report itself, format version 1, indented, with a final newline and nothing added', () => {
    const report = sampleReport();
    const out = render('json', report, RULES);
    assert.equal(out, `${JSON.stringify(report, null, 2)}\n`);
    assert.equal(renderJson(report), out);
    assert.deepEqual(JSON.parse(out), report);
    assert.deepEqual(Object.keys(JSON.parse(out) as object), ['version', 'tool', 'projects']);
  });
});
