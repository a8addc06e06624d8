import { useEffect, useState } from 'preact/hooks';
import type { SearchResponse } from '../../../contract/index.js';
import { api, messageOf } from '../api.js';
import { href } from '../router.js';
import { Badge, ErrorNote, ViewTitle } from '../ui/index.js';

/** GET /search across the fleet: containers, stacks, images, published ports and env names. */
export function Search() {
  const [q, setQ] = useState('');
  const [answer, setAnswer] = useState<SearchResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const query = q.trim();
    if (!query) {
      setAnswer(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      void api<SearchResponse>('GET', `/search?q=${encodeURIComponent(query)}&limit=200`).then((result) => {
        if (!current) return;
        if (result.ok) {
          setAnswer(result.body);
          setError(null);
        } else setError(messageOf(result));
      });
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q]);
  return (
    <>
      <ViewTitle>Search the fleet</ViewTitle>
      <form class="card" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Containers, stacks, images, published ports (8080, 127.0.0.1:8080) and environment variable names
          <input id="search-q" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="e.g. postgres, 5432, DATABASE_URL" />
        </label>
      </form>
      <ErrorNote text={error} />
      {answer ? (
        <section class="card" aria-labelledby="hits-title">
          <h2 id="hits-title" aria-live="polite">
            {answer.total} match{answer.total === 1 ? '' : 'es'} for “{answer.query}” on {answer.hosts_indexed} host{answer.hosts_indexed === 1 ? '' : 's'}
            {answer.total > answer.hits.length ? ` (first ${answer.hits.length} shown)` : ''}
          </h2>
          {answer.hits.length > 0 ? (
            <div class="scroll" tabIndex={0}>
              <table id="search-hits">
                <caption class="sr-only">Matches</caption>
                <thead>
                  <tr>
                    <th scope="col">Kind</th>
                    <th scope="col">Match</th>
                    <th scope="col">Container</th>
                    <th scope="col">Stack</th>
                    <th scope="col">Host</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {answer.hits.map((hit, i) => (
                    <tr key={`${hit.container_id}-${hit.kind}-${hit.value}-${i}`}>
                      <td>{hit.kind}</td>
                      <td>
                        <code>{hit.value}</code>
                      </td>
                      <td>{hit.container}</td>
                      <td>{hit.stack ?? <span class="muted">–</span>}</td>
                      <td>
                        <a href={href('hosts', hit.host_id)}>{hit.hostname}</a>
                      </td>
                      <td>
                        <Badge value={hit.state} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
