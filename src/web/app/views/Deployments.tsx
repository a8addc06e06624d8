import { useEffect, useState } from 'preact/hooks';
import type { AuditEntry, Deployment, HardenPreview } from '../../../contract/index.js';
import { api, messageOf } from '../api.js';
import { when } from '../format.js';
import { href, navigate } from '../router.js';
import { store, useStore } from '../store.js';
import { Age, Badge, ErrorNote, ViewTitle } from '../ui/index.js';
import { FindingsTable } from '../ui/index.js';
import { VulnerabilitiesCard } from './Vulnerabilities.js';

export function Deployments() {
  const { deployments, hosts } = useStore();
  const [state, setState] = useState('');
  const list = [...deployments.values()].filter((d) => !state || d.state === state).sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <>
      <ViewTitle actions={<a class="button" href={href('deploy')}>Deploy a stack</a>}>Deployments</ViewTitle>
      <section class="card">
        <label class="filter">
          State
          <select value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">all</option>
            <option value="pending">pending</option>
            <option value="deploying">deploying</option>
            <option value="running">running</option>
            <option value="failed">failed</option>
          </select>
        </label>
        {list.length === 0 ? (
          <p class="muted">No deployments{state ? ` in state ${state}` : ''}.</p>
        ) : (
          <div class="scroll" tabIndex={0}>
            <table id="deployments">
              <caption class="sr-only">Deployments, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                  <th scope="col">Host</th>
                  <th scope="col">Findings</th>
                  <th scope="col">By</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.map((d) => (
                  <tr key={d.id} data-deployment={d.id}>
                    <th scope="row">
                      <a href={href('deployments', d.id)}>{d.name}</a>
                    </th>
                    <td>
                      <Badge value={d.state} />
                      {d.reason ? <div class="muted small">{d.reason}</div> : null}
                    </td>
                    <td>{d.host_id ? <a href={href('hosts', d.host_id)}>{hosts.get(d.host_id)?.hostname ?? d.host_id}</a> : '–'}</td>
                    <td>{d.findings.length ? `${d.findings.length} (worst: ${worst(d)})` : 'none'}</td>
                    <td>{d.created_by ?? '–'}</td>
                    <td>
                      <Age iso={d.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function worst(d: Deployment): string {
  const order = ['critical', 'high', 'medium', 'low', 'info'];
  return d.findings.map((f) => f.severity).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? '';
}

export function DeploymentDetail({ id }: { id: string }) {
  const { deployments, hosts, me } = useStore();
  const deployment = deployments.get(id);
  const [timeline, setTimeline] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [acted, setActed] = useState(0);

  useEffect(() => {
    void api<Deployment>('GET', `/deployments/${encodeURIComponent(id)}`).then((result) => {
      if (result.ok) store.setDeployment(result.body);
      else if (result.status === 404) setMissing(true);
    });
  }, [id]);
  const version = deployment?.updated_at;
  useEffect(() => {
    if (me?.role !== 'admin') return;
    void api<AuditEntry[]>('GET', `/audit?target=${encodeURIComponent(id)}&limit=200`).then((result) => {
      if (result.ok) setTimeline(result.body.slice().reverse());
    });
  }, [id, version, acted, me?.role]);

  if (!deployment) {
    return (
      <>
        <ViewTitle>Deployment</ViewTitle>
        <p class="muted">{missing ? 'There is no such deployment (it may have been removed).' : 'Loading…'}</p>
      </>
    );
  }
  const host = deployment.host_id ? hosts.get(deployment.host_id) : undefined;
  const canAct = me?.role === 'admin' || me?.role === 'operator';
  const act = async (method: 'POST' | 'DELETE', suffix: string) => {
    setError(null);
    const result = await api<unknown>(method, `/deployments/${encodeURIComponent(id)}${suffix}`);
    setActed((n) => n + 1);
    if (!result.ok) return setError(`${deployment.name}: ${messageOf(result)}`);
    // 202: the removal waits for the agent, and the deployment stays shown (its reason says so) until it is done.
    if (method === 'DELETE' && result.status === 202 && isDeployment(result.body)) store.setDeployment(result.body);
    else if (method === 'DELETE') {
      store.forgetDeployment(id);
      navigate(href('deployments'));
    }
  };
  const inFlight = deployment.state === 'pending' || deployment.state === 'deploying';
  return (
    <>
      <ViewTitle
        actions={
          canAct ? (
            <>
              {deployment.state === 'running' ? (
                <button type="button" class="ghost" onClick={() => void act('POST', '/restart')}>
                  Restart
                </button>
              ) : null}
              <button
                type="button"
                class="ghost danger"
                onClick={() => {
                  if (confirm(`Take down ${deployment.name}?`)) void act('DELETE', inFlight ? '?force=true' : '');
                }}
              >
                Delete
              </button>
            </>
          ) : null
        }
      >
        Deployment {deployment.name} <Badge value={deployment.state} />
      </ViewTitle>
      <ErrorNote text={error} />
      <dl class="facts card">
        <div>
          <dt>Host</dt>
          <dd>{deployment.host_id ? <a href={href('hosts', deployment.host_id)}>{host?.hostname ?? deployment.host_id}</a> : '–'}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            {when(deployment.created_at)} by {deployment.created_by ?? 'unknown'}
          </dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{deployment.source === 'launch' ? 'ZIP upload (machine-lab)' : 'compose'}</dd>
        </div>
        {deployment.user_id ? (
          <div>
            <dt>For</dt>
            <dd>{deployment.user_id}</dd>
          </div>
        ) : null}
        {deployment.reason ? (
          <div>
            <dt>Reason</dt>
            <dd>{deployment.reason}</dd>
          </div>
        ) : null}
      </dl>
      <section class="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        {timeline ? (
          <ol class="timeline" id="timeline">
            {timeline.map((entry) => (
              <li key={entry.id} class={entry.outcome}>
                <time dateTime={entry.at}>{when(entry.at)}</time> <b>{describe(entry)}</b> <span class="muted">by {entry.actor ?? 'the manager'}</span>
              </li>
            ))}
          </ol>
        ) : (
          <ol class="timeline" id="timeline">
            <li>
              <time dateTime={deployment.created_at}>{when(deployment.created_at)}</time> <b>created</b> by {deployment.created_by ?? 'unknown'}
            </li>
            <li>
              <time dateTime={deployment.updated_at}>{when(deployment.updated_at)}</time> <b>{deployment.state}</b>
            </li>
            <li class="muted">The full history is in the audit log, which admins read.</li>
          </ol>
        )}
      </section>
      <section class="card">
        <FindingsTable findings={deployment.findings} caption="The analyzer's findings at deploy time" />
      </section>
      <Harden id={id} />
      <VulnerabilitiesCard of="deployments" id={id} canScan={canAct} />
    </>
  );
}

/** The hardened overlay `shipshape harden` would add to this deployment (docs/harden.md); nothing changes. */
function Harden({ id }: { id: string }) {
  const [preview, setPreview] = useState<HardenPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    setBusy(true);
    setError(null);
    const result = await api<HardenPreview>('POST', `/deployments/${encodeURIComponent(id)}/harden/preview`);
    setBusy(false);
    if (result.ok) setPreview(result.body);
    else setError(messageOf(result));
  };
  const score = (n: number) => n.toFixed(1);
  return (
    <section class="card" aria-labelledby="harden-title" id="harden">
      <div class="card-head">
        <h2 id="harden-title">Hardening</h2>
        <button type="button" class="ghost" disabled={busy} onClick={() => void load()}>
          {preview ? 'Preview again' : 'Preview the hardened overlay'}
        </button>
      </div>
      <ErrorNote text={error} />
      {preview ? (
        <>
          <p>
            Overall score {score(preview.scores.before.overall)} → <b>{score(preview.scores.after.overall)}</b>, security {score(preview.scores.before.security)} →{' '}
            <b>{score(preview.scores.after.security)}</b>; findings {preview.findings.before} → <b>{preview.findings.after}</b> ({preview.findings.fixed.length} fixed).
            {preview.verified ? null : <span class="muted"> Not verified on an engine (shipshape harden --verify does).</span>}
          </p>
          {preview.required_variables.length > 0 ? <p>Variables to provide: {preview.required_variables.join(', ')}</p> : null}
          {preview.secret_files.length > 0 ? <p>Secret files to create: {preview.secret_files.join(', ')}</p> : null}
          <h3>{preview.file_name}</h3>
          <pre class="overlay" tabIndex={0} aria-label={`The overlay ${preview.file_name}`}>
            {preview.overlay}
          </pre>
          {preview.not_applied.length > 0 ? (
            <ul class="stacks">
              {preview.not_applied.map((n, i) => (
                <li key={i}>
                  {n.service}: {n.hardening} not applied: {n.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function describe(entry: AuditEntry): string {
  const details = (entry.details ?? {}) as { state?: string; reason?: string | null; force?: boolean };
  switch (entry.action) {
    case 'deployment.create':
      return 'created and placed';
    case 'deployment.state':
      return `${details.state ?? 'changed'}${details.reason ? `: ${details.reason}` : ''}`;
    case 'deployment.restart':
      return entry.outcome === 'ok' ? 'restarted' : 'restart failed';
    case 'deployment.delete':
      return details.force ? 'deleted (forced)' : 'deleted';
    case 'deployment.gate_allowance':
      return 'allowed by an operator setting';
    default:
      return entry.action;
  }
}

function isDeployment(body: unknown): body is Deployment {
  return typeof body === 'object' && body !== null && typeof (body as { id?: unknown }).id === 'string' && typeof (body as { state?: unknown }).state === 'string';
}
