import { memo } from 'preact/compat';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { HostInfo, HostRegisterResponse } from '../../../contract/index.js';
import { api, messageOf } from '../api.js';
import { href } from '../router.js';
import { useStore, type Spark } from '../store.js';
import { Age, Badge, ErrorNote, ViewTitle } from '../ui/index.js';
import { Sparkline } from '../ui/index.js';

const EMPTY: Spark = { cpu: [], mem: [], disk: [] };

/** One host's row; redrawn only when its host or its samples changed (the store replaces them). */
const HostRow = memo(function HostRow({ host, spark, index }: { host: HostInfo; spark: Spark; index: number }) {
  return (
    <tr data-host={host.id} aria-rowindex={index + 2}>
      <th scope="row">
        <a href={href('hosts', host.id)}>{host.hostname}</a>
        <div class="muted small">
          {host.ip}:{host.api_port}
        </div>
      </th>
      <td class="status">
        <Badge value={host.status} /> {host.status === 'online' ? <Badge value={host.healthiness} /> : null}
      </td>
      <td>
        <Age iso={host.last_seen} />
      </td>
      <td>
        <Sparkline values={spark.cpu.length ? spark.cpu : [host.cpu_percent]} label="CPU" />
      </td>
      <td>
        <Sparkline values={spark.mem.length ? spark.mem : [host.mem_percent]} label="Memory" />
      </td>
      <td>
        <Sparkline values={spark.disk.length ? spark.disk : [host.disk_percent]} label="Disk" />
      </td>
      <td class="slots">
        {host.deployments} / {host.max_containers}
      </td>
      <td>{host.current_containers}</td>
      <td>{host.agent_version ?? <span class="muted">unknown</span>}</td>
    </tr>
  );
});

/** Rows are this tall (styles.css, #hosts): a long list only renders the rows in view. */
const ROW_HEIGHT = 52;
/** Up to this many hosts every row is rendered; past it, the rows in view and a margin. */
const RENDER_ALL = 150;
const OVERSCAN = 20;

/**
 * The hosts' rows. A fleet of a thousand hosts renders only the rows in the window (and a margin
 * around it), with spacers for the rest, so that a burst of heartbeats redraws a few dozen rows,
 * not a thousand (docs/dashboard.md, "Scale"). The filter finds any host.
 */
function HostRows({ hosts, sparks }: { hosts: HostInfo[]; sparks: Map<string, Spark> }) {
  const body = useRef<HTMLTableSectionElement>(null);
  const [range, setRange] = useState({ first: 0, last: RENDER_ALL });
  const virtual = hosts.length > RENDER_ALL;
  useEffect(() => {
    if (!virtual) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const top = body.current ? body.current.getBoundingClientRect().top : 0;
      const first = Math.max(0, Math.floor(-top / ROW_HEIGHT) - OVERSCAN);
      const last = Math.min(hosts.length, Math.ceil((innerHeight - top) / ROW_HEIGHT) + OVERSCAN);
      setRange((old) => (old.first === first && old.last === last ? old : { first, last }));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    addEventListener('scroll', schedule, { passive: true });
    addEventListener('resize', schedule);
    return () => {
      removeEventListener('scroll', schedule);
      removeEventListener('resize', schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [virtual, hosts.length]);
  const first = virtual ? Math.min(range.first, hosts.length) : 0;
  const last = virtual ? Math.min(range.last, hosts.length) : hosts.length;
  return (
    <tbody ref={body}>
      {first > 0 ? <tr class="spacer" aria-hidden="true" style={{ height: `${first * ROW_HEIGHT}px` }} /> : null}
      {hosts.slice(first, last).map((host, i) => (
        <HostRow key={host.id} host={host} spark={sparks.get(host.id) ?? EMPTY} index={first + i} />
      ))}
      {last < hosts.length ? <tr class="spacer" aria-hidden="true" style={{ height: `${(hosts.length - last) * ROW_HEIGHT}px` }} /> : null}
    </tbody>
  );
}

export function Overview() {
  const store = useStore();
  const [filter, setFilter] = useState('');
  const hosts = useMemo(() => [...store.hosts.values()].sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id)), [store.hosts]);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!needle) return hosts;
    return hosts.filter((h) => h.hostname.toLowerCase().includes(needle) || h.ip.includes(needle) || h.status === needle || h.healthiness === needle || (h.agent_version ?? '').includes(needle));
  }, [hosts, filter]);
  const online = hosts.filter((h) => h.status === 'online');
  const deployments = [...store.deployments.values()];
  const versions = new Map<string, number>();
  for (const h of hosts) versions.set(h.agent_version ?? 'unknown', (versions.get(h.agent_version ?? 'unknown') ?? 0) + 1);
  const room = online.reduce((n, h) => n + Math.max(0, h.max_containers - h.deployments), 0);
  return (
    <>
      <ViewTitle actions={store.me?.role === 'admin' ? <RegisterHost /> : null}>Fleet</ViewTitle>
      <dl class="summary" id="summary">
        <div>
          <dt class="muted">Hosts online</dt>
          <dd>
            <b>
              {online.length} / {hosts.length}
            </b>
          </dd>
        </div>
        <div>
          <dt class="muted">Deployments running</dt>
          <dd>
            <b>{deployments.filter((d) => d.state === 'running').length}</b>
          </dd>
        </div>
        <div>
          <dt class="muted">Failed</dt>
          <dd>
            <b>{deployments.filter((d) => d.state === 'failed').length}</b>
          </dd>
        </div>
        <div>
          <dt class="muted">Free slots</dt>
          <dd>
            <b>{room}</b>
          </dd>
        </div>
        <div>
          <dt class="muted">Agent versions</dt>
          <dd class="versions">
            {[...versions]
              .sort((a, b) => b[1] - a[1])
              .slice(0, 4)
              .map(([v, n]) => `${v} × ${n}`)
              .join(', ') || '–'}
          </dd>
        </div>
      </dl>
      <section class="card" aria-labelledby="hosts-title">
        <div class="card-head">
          <h2 id="hosts-title">Hosts</h2>
          <label class="filter">
            Filter
            <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="name, address, status, version" />
          </label>
        </div>
        {hosts.length === 0 ? (
          <p class="muted">No hosts yet. Register one, or enroll an agent with a token (docs/agent.md).</p>
        ) : (
          <div class="scroll" tabIndex={0}>
            <table id="hosts" aria-rowcount={shown.length + 1}>
              <caption class="sr-only">Hosts, their status, last heartbeat, use over the last samples, capacity and agent version</caption>
              <thead>
                <tr>
                  <th scope="col">Host</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">CPU</th>
                  <th scope="col">Memory</th>
                  <th scope="col">Disk</th>
                  <th scope="col">Deployments</th>
                  <th scope="col">Containers</th>
                  <th scope="col">Agent</th>
                </tr>
              </thead>
              <HostRows hosts={shown} sparks={store.sparks} />
            </table>
          </div>
        )}
        {hosts.length > 0 && shown.length === 0 ? <p class="muted">No host matches “{filter}”.</p> : null}
      </section>
    </>
  );
}

function RegisterHost() {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ hostname: '', ip: '', api_port: '8003', max_containers: '10' });
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const answer = await api<HostRegisterResponse>('POST', '/hosts', {
      hostname: form.hostname,
      ip: form.ip,
      api_port: Number(form.api_port),
      max_containers: Number(form.max_containers),
    });
    if (!answer.ok) return setError(messageOf(answer));
    setResult(`Registered. Start its agent with HOST_ID=${answer.body.id} SERVER_KEY=${answer.body.server_key} (shown once).`);
    setOpen(false);
  };
  const field = (name: keyof typeof form, label: string, type: 'text' | 'number' = 'text') => (
    <label>
      {label}
      {type === 'number' ? (
        <input type="number" min={1} required value={form[name]} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
      ) : (
        <input type="text" required value={form[name]} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
      )}
    </label>
  );
  return (
    <div class="register">
      <button type="button" class="ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
        Register a host
      </button>
      {open ? (
        <form class="inline-form card" onSubmit={submit} aria-label="Register a host">
          {field('hostname', 'Host name')}
          {field('ip', 'Address')}
          {field('api_port', 'Agent port', 'number')}
          {field('max_containers', 'Max deployments', 'number')}
          <button type="submit">Register</button>
          <ErrorNote text={error} />
        </form>
      ) : null}
      {result ? (
        <p class="notice" role="status">
          {result}
        </p>
      ) : null}
    </div>
  );
}
