import { useEffect, useRef, useState } from 'preact/hooks';
import type { ContainerLogEvent, ContainerSummary, HostMetrics, HostMetricSample, HostPosture, HostStacks } from '../../../contract/index.js';
import { api } from '../api.js';
import { useResource } from '../resource.js';
import { href } from '../router.js';
import { store, useStore } from '../store.js';
import { Age, Badge, ErrorNote, SeverityCounts, SeverityTable, ViewTitle } from '../ui/index.js';
import { LineChart } from '../ui/index.js';
import { VulnerabilitiesCard } from './Vulnerabilities.js';

const MAX_LOG_LINES = 2_000;

export function HostDetail({ id }: { id: string }) {
  const { hosts, me } = useStore();
  const host = hosts.get(id);
  const samples = useSamples(id);
  const { data: inventory, error: inventoryError, reload: loadInventory } = useResource<HostStacks>(`/hosts/${encodeURIComponent(id)}/stacks`);
  const [logsOf, setLogsOf] = useState<ContainerSummary | null>(null);

  useEffect(() => {
    // Containers change with deployments and by hand: read again on each of this host's deployment events.
    return store.onEvent((event) => {
      if ((event.type === 'deployment.state' || event.type === 'deployment.removed') && event.host_id === id) void loadInventory();
    });
  }, [id, loadInventory]);

  if (!host) {
    return (
      <>
        <ViewTitle>Host</ViewTitle>
        <p class="muted">{hosts.size === 0 ? 'Loading…' : 'There is no such host (it may have been deleted).'}</p>
        <a href={href()}>Back to the fleet</a>
      </>
    );
  }
  const times = samples.map((s) => Date.parse(s.at));
  // Container logs and scan rounds are for operators (and admins), as the manager's routes are.
  const canOperate = me?.role === 'admin' || me?.role === 'operator';
  return (
    <>
      <ViewTitle>
        Host {host.hostname} <Badge value={host.status} /> {host.status === 'online' ? <Badge value={host.healthiness} /> : null}
      </ViewTitle>
      <dl class="facts card">
        <div>
          <dt>Address</dt>
          <dd>
            {host.ip}:{host.api_port}
          </dd>
        </div>
        <div>
          <dt>Last heartbeat</dt>
          <dd>
            <Age iso={host.last_seen} />
          </dd>
        </div>
        <div>
          <dt>Agent version</dt>
          <dd>{host.agent_version ?? 'unknown'}</dd>
        </div>
        <div>
          <dt>Docker engine</dt>
          <dd>{host.docker_ok === null ? 'unknown' : host.docker_ok ? 'answers' : 'does not answer'}</dd>
        </div>
        <div>
          <dt>Deployments</dt>
          <dd>
            {host.deployments} / {host.max_containers}
          </dd>
        </div>
        <div>
          <dt>Load</dt>
          <dd>{host.load ?? '–'}</dd>
        </div>
      </dl>
      <section class="card" aria-labelledby="charts-title">
        <h2 id="charts-title">The last hour</h2>
        <div class="charts">
          <LineChart
            title="CPU, memory and disk"
            unit=" %"
            max={100}
            times={times}
            series={[
              { name: 'CPU', values: samples.map((s) => s.cpu_percent), tone: 'a' },
              { name: 'Memory', values: samples.map((s) => s.mem_percent), tone: 'b' },
              { name: 'Disk', values: samples.map((s) => s.disk_percent), tone: 'c' },
            ]}
          />
          <LineChart title="Running containers" unit="" times={times} series={[{ name: 'Containers', values: samples.map((s) => s.containers), tone: 'a' }]} />
        </div>
      </section>
      <section class="card" aria-labelledby="stacks-title">
        <div class="card-head">
          <h2 id="stacks-title">Stacks and containers</h2>
          <button type="button" class="ghost" onClick={() => void loadInventory()}>
            Refresh
          </button>
        </div>
        <ErrorNote text={inventoryError} />
        {inventory ? <Inventory inventory={inventory} canReadLogs={canOperate} onLogs={setLogsOf} /> : inventoryError ? null : <p class="muted">Asking the agent…</p>}
      </section>
      {logsOf ? <Logs hostId={id} container={logsOf} onClose={() => setLogsOf(null)} /> : null}
      <Posture hostId={id} />
      <VulnerabilitiesCard of="hosts" id={id} canScan={canOperate} />
    </>
  );
}

/** The last hour from the manager, then every heartbeat of this host as it comes. */
function useSamples(id: string): HostMetricSample[] {
  const [samples, setSamples] = useState<HostMetricSample[]>([]);
  useEffect(() => {
    let live = true;
    void api<HostMetrics>('GET', `/hosts/${encodeURIComponent(id)}/metrics`).then((result) => {
      if (live && result.ok) setSamples(result.body.samples);
    });
    const stop = store.onEvent((event) => {
      if (event.type !== 'host.heartbeat' || event.host_id !== id) return;
      const sample = { at: event.at, cpu_percent: event.cpu_percent, mem_percent: event.mem_percent, disk_percent: event.disk_percent, containers: event.current_containers };
      setSamples((before) => [...before, sample].filter((s) => Date.parse(s.at) >= Date.now() - 3_600_000).slice(-2_000));
    });
    return () => {
      live = false;
      stop();
    };
  }, [id]);
  return samples;
}

function Inventory({ inventory, canReadLogs, onLogs }: { inventory: HostStacks; canReadLogs: boolean; onLogs: (c: ContainerSummary) => void }) {
  const health = new Map<string, string | null>();
  for (const stack of inventory.stacks) for (const service of stack.services) for (const c of service.containers) health.set(c.id, c.health);
  const inStacks = new Set(inventory.stacks.map((s) => s.name));
  return (
    <>
      {inventory.stacks.length === 0 ? (
        <p class="muted">No stacks deployed through this host's agent.</p>
      ) : (
        <ul class="stacks">
          {inventory.stacks.map((stack) => (
            <li key={stack.name}>
              <b>{stack.name}</b> <Badge value={stack.status} />{' '}
              <span class="muted">
                {stack.containers.running} of {stack.containers.total} running, updated <Age iso={stack.updated_at} />
              </span>
              {stack.services.length > 0 ? (
                <ul>
                  {stack.services.map((service) => (
                    <li key={service.name}>
                      {service.name}: {service.containers.map((c) => `${c.state}${c.health ? ` (${c.health})` : ''}`).join(', ') || 'no container'}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <div class="scroll" tabIndex={0}>
        <table id="containers">
          <caption>Every container on the host</caption>
          <thead>
            <tr>
              <th scope="col">Container</th>
              <th scope="col">State</th>
              <th scope="col">Health</th>
              <th scope="col">Image</th>
              <th scope="col">Stack</th>
              <th scope="col">Ports</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {inventory.containers.map((c) => (
              <tr key={c.id} data-container={c.name}>
                <th scope="row">{c.name}</th>
                <td>
                  <Badge value={c.state} /> <span class="muted">{c.status}</span>
                </td>
                <td>{health.get(c.id) ?? <span class="muted">–</span>}</td>
                <td>
                  <code>{c.image}</code>
                </td>
                <td>{c.stack ? (inStacks.has(c.stack) ? c.stack : `${c.stack} (not the agent's)`) : <span class="muted">started by hand</span>}</td>
                <td>{c.ports.map((p) => `${p.host_ip ?? ''}${p.host_port ? `:${p.host_port}→` : ''}${p.container_port}/${p.protocol ?? 'tcp'}`).join(', ') || '–'}</td>
                <td>
                  {canReadLogs ? (
                    <button type="button" class="ghost small" onClick={() => onLogs(c)} aria-label={`Logs of ${c.name}`}>
                      Logs
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** A container's output, followed live through the manager (GET /hosts/:id/containers/:ref/logs). */
function Logs({ hostId, container, onClose }: { hostId: string; container: ContainerSummary; onClose: () => void }) {
  const [lines, setLines] = useState<ContainerLogEvent[]>([]);
  const [state, setState] = useState<'connecting' | 'following' | 'ended' | 'failed'>('connecting');
  const box = useRef<HTMLPreElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    setLines([]);
    setState('connecting');
    const source = new EventSource(`/hosts/${encodeURIComponent(hostId)}/containers/${encodeURIComponent(container.name)}/logs?follow=true&tail=200`);
    let pending: ContainerLogEvent[] = [];
    let frame = 0;
    source.onopen = () => setState('following');
    source.addEventListener('line', (message) => {
      pending.push(JSON.parse((message as MessageEvent<string>).data) as ContainerLogEvent);
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const add = pending;
        pending = [];
        setLines((before) => [...before, ...add].slice(-MAX_LOG_LINES));
      });
    });
    source.addEventListener('end', () => {
      setState('ended');
      source.close();
    });
    source.onerror = () => {
      // The manager refused (or the stream broke): a log stream is not reopened on its own.
      source.close();
      setState((s) => (s === 'ended' ? s : 'failed'));
    };
    return () => {
      source.close();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [hostId, container.name]);
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return (
    <section class="card logs" aria-labelledby="logs-title">
      <div class="card-head">
        <h2 id="logs-title" ref={heading} tabIndex={-1}>
          Logs of {container.name} <span class={`live ${state === 'following' ? 'on' : 'off'}`}>{state}</span>
        </h2>
        <button type="button" class="ghost" onClick={onClose}>
          Close logs
        </button>
      </div>
      <pre ref={box} id="log-lines" tabIndex={0} aria-live="polite" aria-label={`Output of ${container.name}`}>
        {lines.map((l, i) => (
          <span key={i} class={l.stream}>
            {l.line}
            {'\n'}
          </span>
        ))}
      </pre>
    </section>
  );
}

/** What the host's agent found on what actually runs there: the analyzer's runtime rules, and drift (docs/posture.md). */
function Posture({ hostId }: { hostId: string }) {
  const { data: posture, error } = useResource<HostPosture>(`/hosts/${encodeURIComponent(hostId)}/posture`);
  return (
    <section class="card" aria-labelledby="posture-title" id="posture">
      <h2 id="posture-title">Posture and drift</h2>
      <ErrorNote text={error} />
      {posture === null ? null : posture.collected_at === null ? (
        <p class="muted">The agent has not reported what runs on the host yet.</p>
      ) : (
        <>
          <p>
            Reported <Age iso={posture.collected_at} />:{' '}
            <SeverityCounts counts={posture.counts} />
            <Badge value={posture.counts.drift > 0 ? 'warning' : 'ok'} label={`${posture.counts.drift} drift`} />
            {posture.truncated ? <span class="muted"> (shortened: the host runs a lot)</span> : null}
          </p>
          {posture.findings.length > 0 ? (
            <SeverityTable
              findings={posture.findings}
              caption="Findings on running containers"
              id="posture-findings"
              whereTitle="Container"
              where={(f) => (
                <>
                  {f.container}
                  {f.stack ? <div class="muted small">{f.stack}</div> : null}
                </>
              )}
            />
          ) : (
            <p class="muted">No finding on the running containers.</p>
          )}
          {posture.drift.length > 0 ? (
            <>
              <h3>Drift</h3>
              <ul class="stacks" id="drift">
                {posture.drift.map((d, i) => (
                  <li key={`${d.container}-${i}`}>
                    <b>{d.container}</b> {d.kind === 'unmanaged' ? 'was started by hand' : 'changed since its deploy'}
                    {d.details.length ? <span class="muted">: {d.details.join('; ')}</span> : null}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
    </section>
  );
}
