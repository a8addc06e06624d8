import { useState } from 'preact/hooks';
import type { AnalysisPreview, Deployment, DeploymentFinding, DeploymentState } from '../../../contract/index.js';
import { api, messageOf, refusalFindings } from '../api.js';
import { lastAnalysis, pickPackage, type PickedPackage } from '../package.js';
import { href } from '../router.js';
import { store, useStore } from '../store.js';
import { AnalysisReport, FindingsTable } from '../ui/index.js';
import { Badge, ErrorNote, ViewTitle } from '../ui/index.js';

interface Step {
  state: DeploymentState;
  at: string;
  reason: string | null;
}

/** Upload, preview, place, deploy, follow: the deploy view (docs/dashboard.md). */
export function Deploy() {
  const { hosts, me } = useStore();
  const [pkg, setPkg] = useState<PickedPackage | null>(null);
  const [pickError, setPickError] = useState<string | null>(null);
  const [preview, setPreview] = useState<AnalysisPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [placement, setPlacement] = useState('auto');
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState<DeploymentFinding[]>([]);
  const [deployment, setDeployment] = useState<Deployment | null>(null);
  // The progress is what the event stream said about this deployment: its first states may come
  // before the answer to POST /deployments does.
  const steps: Step[] = [];
  if (deployment) {
    steps.push({ state: 'pending', at: deployment.created_at, reason: null });
    for (const event of store.heard) {
      if (event.type !== 'deployment.state' || event.deployment_id !== deployment.id || steps.some((s) => s.state === event.state)) continue;
      steps.push({ state: event.state, at: event.at, reason: event.reason });
    }
  }

  if (me?.role === 'viewer') {
    return (
      <>
        <ViewTitle>Deploy a stack</ViewTitle>
        <p>Deploying needs the operator or admin role; you are a viewer.</p>
      </>
    );
  }

  const pick = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    setPickError(null);
    setPreview(null);
    setDeployment(null);
    setRefused([]);
    setError(null);
    if (!input.files || input.files.length === 0) return;
    try {
      const picked = await pickPackage(input.files);
      setPkg(picked);
      await analyze(picked);
    } catch (err) {
      setPkg(null);
      setPickError((err as Error).message);
    }
  };

  const analyze = async (picked: PickedPackage) => {
    setBusy(true);
    const result = await api<AnalysisPreview>('POST', '/analyze/preview', { compose: picked.compose, files: picked.files, encoding: 'base64' });
    setBusy(false);
    if (!result.ok) {
      setPreview(null);
      setPickError(messageOf(result));
      return;
    }
    setPreview(result.body);
    lastAnalysis.preview = result.body;
    lastAnalysis.names = picked.names;
  };

  const deploy = async (event: Event) => {
    event.preventDefault();
    if (!pkg) return;
    setError(null);
    setRefused([]);
    setBusy(true);
    const result = await api<Deployment>('POST', '/deployments', {
      compose: pkg.compose,
      files: pkg.files,
      encoding: 'base64',
      ...(name ? { name } : {}),
      ...(placement !== 'auto' ? { host_id: placement } : {}),
    });
    setBusy(false);
    if (!result.ok) {
      setError(`Not deployed: ${messageOf(result)}`);
      setRefused(refusalFindings<DeploymentFinding>(result));
      return;
    }
    setDeployment(result.body);
    store.setDeployment(result.body);
  };

  const online = [...hosts.values()].filter((h) => h.status === 'online').sort((a, b) => a.hostname.localeCompare(b.hostname));
  const current = deployment ? (store.deployments.get(deployment.id) ?? deployment) : null;
  return (
    <>
      <ViewTitle>Deploy a stack</ViewTitle>
      <section class="card" aria-labelledby="package-title">
        <h2 id="package-title">1. The compose project</h2>
        <label>
          Files (compose.yaml and what it needs), or one ZIP
          <input id="package-files" type="file" multiple onChange={(e) => void pick(e)} />
        </label>
        {pkg ? <p class="muted">Picked: {pkg.names.join(', ')}</p> : null}
        <ErrorNote text={pickError} />
        {busy && !preview ? <p role="status">Analyzing…</p> : null}
      </section>
      {preview ? (
        <section class="card" aria-labelledby="preview-title" id="preview">
          <h2 id="preview-title">2. What the analyzer and the gate say</h2>
          <AnalysisReport preview={preview} />
          <p>
            <a href={href('report')}>Open the full report</a>
          </p>
        </section>
      ) : null}
      {pkg && preview ? (
        <section class="card" aria-labelledby="place-title">
          <h2 id="place-title">3. Place and deploy</h2>
          <form class="inline-form" onSubmit={(e) => void deploy(e)}>
            <label>
              Name
              <input id="deploy-name" value={name} pattern="[a-z0-9][a-z0-9_\-]{0,62}" placeholder="default: its id" onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <label>
              Placement
              <select id="deploy-placement" value={placement} onChange={(e) => setPlacement(e.currentTarget.value)}>
                <option value="auto">automatic (the host with most room)</option>
                {online.map((h) => (
                  <option key={h.id} value={h.id}>
                    {h.hostname} ({h.deployments}/{h.max_containers})
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={busy || current !== null}>
              Deploy
            </button>
          </form>
          <ErrorNote text={error} />
          {refused.length > 0 ? <FindingsTable findings={refused} caption="Findings the manager refused the deploy for" /> : null}
        </section>
      ) : null}
      {current ? (
        <section class="card" aria-labelledby="progress-title">
          <h2 id="progress-title">4. Progress</h2>
          <ol class="timeline" id="progress" aria-live="polite">
            {steps.map((step) => (
              <li key={step.state}>
                <Badge value={step.state} /> {new Date(step.at).toLocaleTimeString()} {step.reason ? <span class="muted">{step.reason}</span> : null}
              </li>
            ))}
          </ol>
          <p>
            <a href={href('deployments', current.id)}>
              Deployment {current.name}: {current.state}
            </a>
          </p>
        </section>
      ) : null}
    </>
  );
}
