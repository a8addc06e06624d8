import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/hosts/<id>`), so that every view has an address, the back button works and the
 * manager serves one page. Each route names its view and its parameters.
 */
export type Route =
  | { view: 'overview' }
  | { view: 'host'; id: string }
  | { view: 'deployments' }
  | { view: 'deployment'; id: string }
  | { view: 'deploy' }
  | { view: 'report' }
  | { view: 'audit' }
  | { view: 'users' }
  | { view: 'search' }
  | { view: 'alerts' }
  | { view: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0) return { view: 'overview' };
  if (first === 'hosts' && second && parts.length === 2) return { view: 'host', id: second };
  if (first === 'deployments' && parts.length === 1) return { view: 'deployments' };
  if (first === 'deployments' && second && parts.length === 2) return { view: 'deployment', id: second };
  if (parts.length === 1 && (first === 'deploy' || first === 'report' || first === 'audit' || first === 'users' || first === 'search' || first === 'alerts')) return { view: first };
  return { view: 'not-found', path };
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function navigate(to: string): void {
  location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}
