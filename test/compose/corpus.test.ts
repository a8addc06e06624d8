import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { loadProject } from '../../src/compose/index.js';
import { CORPUS_DIR, corpusFiles } from '../helpers/corpus.js';

describe('the whole corpus', () => {
  const files = corpusFiles();

  it('has the ~600 files of the shared corpus', () => {
    assert.ok(files.length >= 600, `found ${files.length}`);
  });

  it('loads every file or fails with located diagnostics, never throwing', () => {
    const unlocated: string[] = [];
    for (const file of files) {
      const r = loadProject({ files: [file], env: {} });
      for (const d of r.diagnostics) {
        if (!d.file || d.line < 1 || d.column < 1) unlocated.push(`${relative(CORPUS_DIR, file)}: ${d.code} ${d.message}`);
      }
      if (!r.diagnostics.some((d) => d.severity === 'error')) assert.ok(r.project, relative(CORPUS_DIR, file));
    }
    assert.deepEqual(unlocated, []);
  });

  it('loads every awesome-compose sample (their missing sources aside)', () => {
    const samples = files.filter((f) => f.includes('/awesome-compose/'));
    assert.ok(samples.length >= 37);
    for (const file of samples) {
      const r = loadProject({ files: [file], env: {} });
      const errors = r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'file-not-found');
      const name = relative(CORPUS_DIR, file);
      // plex publishes ${PLEX_MEDIA_PATH}:/media without a default: compose refuses it too when unset.
      if (name.includes('plex')) assert.equal(errors[0]?.code, 'invalid-value');
      else assert.deepEqual(errors.map((d) => `${d.line}:${d.message}`), [], name);
      assert.ok(r.project && Object.keys(r.project.services).length > 0, name);
    }
  });
});
