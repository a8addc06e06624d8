import { useState } from 'preact/hooks';
import type { AnalysisPreview } from '../../../contract/index.js';
import { api, messageOf } from '../api.js';
import { lastAnalysis, pickPackage } from '../package.js';
import { AnalysisReport } from '../ui/index.js';
import { ErrorNote, ViewTitle } from '../ui/index.js';

/** The analysis report of a compose project: the last one analyzed, or one picked here. Nothing is deployed. */
export function Report() {
  const [preview, setPreview] = useState<AnalysisPreview | null>(lastAnalysis.preview);
  const [names, setNames] = useState<string[]>(lastAnalysis.names);
  const [error, setError] = useState<string | null>(null);
  const pick = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    setError(null);
    if (!input.files || input.files.length === 0) return;
    try {
      const picked = await pickPackage(input.files);
      const result = await api<AnalysisPreview>('POST', '/analyze/preview', { compose: picked.compose, files: picked.files, encoding: 'base64' });
      if (!result.ok) return setError(messageOf(result));
      lastAnalysis.preview = result.body;
      lastAnalysis.names = picked.names;
      setPreview(result.body);
      setNames(picked.names);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <ViewTitle>Analysis report</ViewTitle>
      <section class="card">
        <label>
          Analyze a compose project (files or one ZIP); nothing is deployed
          <input id="report-files" type="file" multiple onChange={(e) => void pick(e)} />
        </label>
        <ErrorNote text={error} />
      </section>
      {preview ? (
        <section class="card" aria-label="Report">
          <p class="muted">Files: {names.join(', ')}</p>
          <AnalysisReport preview={preview} />
        </section>
      ) : (
        <p class="muted">No analysis yet: pick a project above, or preview one in the deploy view.</p>
      )}
    </>
  );
}
