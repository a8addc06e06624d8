import { useEffect, useState } from 'preact/hooks';
import type { AuditEntry } from '../../../contract/index.js';
import { api, messageOf } from '../api.js';
import { when } from '../format.js';
import { Badge, ErrorNote, ViewTitle } from '../ui/index.js';

const PAGE = 100;

/** GET /audit, newest first, a page at a time, filtered by action or actor (admins). */
export function Audit() {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState(false);

  const load = async (before?: string) => {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (action) query.set('action', action);
    if (actor) query.set('actor', actor);
    if (before) query.set('before', before);
    const result = await api<AuditEntry[]>('GET', `/audit?${query}`);
    if (!result.ok) return setError(messageOf(result));
    setError(null);
    setEntries((old) => (before ? [...old, ...result.body] : result.body));
    setMore(result.body.length === PAGE);
  };
  useEffect(() => {
    void load();
  }, []);

  return (
    <>
      <ViewTitle>Audit log</ViewTitle>
      <form
        class="inline-form card"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label>
          Action
          <input value={action} placeholder="e.g. deployment.create" onInput={(e) => setAction(e.currentTarget.value)} />
        </label>
        <label>
          Actor
          <input value={actor} placeholder="e-mail" onInput={(e) => setActor(e.currentTarget.value)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorNote text={error} />
      <section class="card">
        <div class="scroll" tabIndex={0}>
          <table id="audit">
            <caption class="sr-only">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td class="nowrap">{when(e.at)}</td>
                  <td>
                    {e.actor ?? 'the manager'}
                    {e.actor_role ? <span class="muted"> ({e.actor_role})</span> : null}
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td class="small">{e.target ?? '–'}</td>
                  <td>
                    <Badge value={e.outcome === 'ok' ? 'ok' : e.outcome === 'denied' ? 'denied' : 'failed'} label={e.outcome} />
                  </td>
                  <td>{e.ip ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {more ? (
          <button type="button" class="ghost" onClick={() => void load(entries[entries.length - 1]?.id)}>
            Older entries
          </button>
        ) : null}
      </section>
    </>
  );
}
