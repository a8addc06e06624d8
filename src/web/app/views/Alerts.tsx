import { useEffect, useState } from 'preact/hooks';
import type { AlertEventType, Webhook, WebhookDelivery } from '../../../contract/index.js';
import { api, messageOf } from '../api.js';
import { when } from '../format.js';
import { Badge, ErrorNote, ViewTitle } from '../ui/index.js';

/** Mirrors ALERT_EVENTS of the contract (a value import would pull its schema library into the page). */
const EVENTS: AlertEventType[] = ['host.offline', 'host.online', 'deployment.failed', 'deployment.degraded', 'gate.refused', 'posture.critical'];

/** Webhook alerts and their delivery log (admins; docs/alerts.md). */
export function Alerts() {
  const [hooks, setHooks] = useState<Webhook[]>([]);
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ url: '', secret: '', description: '', events: new Set<AlertEventType>(['host.offline', 'deployment.failed']) });

  const load = async () => {
    const [h, d] = await Promise.all([api<Webhook[]>('GET', '/alerts/webhooks'), api<WebhookDelivery[]>('GET', '/alerts/deliveries?limit=100')]);
    if (h.ok) setHooks(h.body);
    else setError(messageOf(h));
    if (d.ok) setDeliveries(d.body);
  };
  useEffect(() => {
    void load();
  }, []);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const result = await api<Webhook>('POST', '/alerts/webhooks', {
      url: form.url,
      secret: form.secret,
      events: [...form.events],
      ...(form.description ? { description: form.description } : {}),
    });
    if (!result.ok) return setError(messageOf(result));
    setForm({ ...form, url: '', secret: '', description: '' });
    await load();
  };
  const remove = async (hook: Webhook) => {
    if (!confirm(`Stop sending alerts to ${hook.url}?`)) return;
    const result = await api('DELETE', `/alerts/webhooks/${encodeURIComponent(hook.id)}`);
    if (!result.ok) setError(messageOf(result));
    await load();
  };
  const urlOf = new Map(hooks.map((h) => [h.id, h.url]));
  return (
    <>
      <ViewTitle actions={<button type="button" class="ghost" onClick={() => void load()}>Refresh</button>}>Alerts</ViewTitle>
      <ErrorNote text={error} />
      <section class="card" aria-labelledby="hooks-title">
        <h2 id="hooks-title">Webhooks</h2>
        {hooks.length === 0 ? (
          <p class="muted">No webhook yet.</p>
        ) : (
          <ul class="stacks" id="webhooks">
            {hooks.map((hook) => (
              <li key={hook.id}>
                <code>{hook.url}</code> {hook.description ? <span class="muted">({hook.description})</span> : null}: {hook.events.join(', ')}{' '}
                <button type="button" class="ghost small danger" onClick={() => void remove(hook)} aria-label={`Delete the webhook to ${hook.url}`}>
                  Delete
                </button>
              </li>
            ))}
          </ul>
        )}
        <form onSubmit={(e) => void create(e)} aria-label="New webhook">
          <div class="inline-form">
            <label>
              URL
              <input type="url" required value={form.url} onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} />
            </label>
            <label>
              Secret (16 or more characters; signs each delivery)
              <input type="password" required minLength={16} autocomplete="new-password" value={form.secret} onInput={(e) => setForm({ ...form, secret: e.currentTarget.value })} />
            </label>
            <label>
              Description
              <input type="text" value={form.description} onInput={(e) => setForm({ ...form, description: e.currentTarget.value })} />
            </label>
          </div>
          <fieldset class="events">
            <legend>Events</legend>
            {EVENTS.map((name) => (
              <label key={name} class="check">
                <input
                  type="checkbox"
                  checked={form.events.has(name)}
                  onChange={(e) => {
                    const events = new Set(form.events);
                    if (e.currentTarget.checked) events.add(name);
                    else events.delete(name);
                    setForm({ ...form, events });
                  }}
                />{' '}
                {name}
              </label>
            ))}
          </fieldset>
          <button type="submit">Add the webhook</button>
        </form>
      </section>
      <section class="card" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Deliveries</h2>
        {deliveries.length === 0 ? (
          <p class="muted">Nothing delivered yet.</p>
        ) : (
          <div class="scroll" tabIndex={0}>
            <table id="deliveries">
              <caption class="sr-only">Webhook deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">To</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last answer</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr key={d.id}>
                    <td class="nowrap">{when(d.created_at)}</td>
                    <td>{d.event}</td>
                    <td class="small">{urlOf.get(d.webhook_id) ?? d.webhook_id}</td>
                    <td>
                      <Badge value={d.status === 'delivered' ? 'ok' : d.status === 'failed' ? 'failed' : 'pending'} label={d.status} />
                    </td>
                    <td>{d.attempts}</td>
                    <td>{d.last_error ?? (d.last_status !== null ? `HTTP ${d.last_status}` : '–')}</td>
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
