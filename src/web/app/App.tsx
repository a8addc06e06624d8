import { useEffect, useState } from 'preact/hooks';
import type { WhoAmI } from '../../contract/index.js';
import { api, whenUnauthorized } from './api.js';
import { href, useRoute, type Route } from './router.js';
import { store, useStore } from './store.js';
import { ViewTitle } from './ui/index.js';
import { Alerts } from './views/Alerts.js';
import { Audit } from './views/Audit.js';
import { Deploy } from './views/Deploy.js';
import { DeploymentDetail, Deployments } from './views/Deployments.js';
import { HostDetail } from './views/HostDetail.js';
import { Login } from './views/Login.js';
import { Overview } from './views/Overview.js';
import { Report } from './views/Report.js';
import { Search } from './views/Search.js';
import { Users } from './views/Users.js';

interface NavItem {
  to: string;
  label: string;
  views: Route['view'][];
  admin?: boolean;
}

const NAV: NavItem[] = [
  { to: href(), label: 'Fleet', views: ['overview', 'host'] },
  { to: href('deployments'), label: 'Deployments', views: ['deployments', 'deployment'] },
  { to: href('deploy'), label: 'Deploy', views: ['deploy'] },
  { to: href('report'), label: 'Report', views: ['report'] },
  { to: href('search'), label: 'Search', views: ['search'] },
  { to: href('alerts'), label: 'Alerts', views: ['alerts'], admin: true },
  { to: href('audit'), label: 'Audit', views: ['audit'], admin: true },
  { to: href('users'), label: 'Users', views: ['users'], admin: true },
];

export function App() {
  const { me, live } = useStore();
  const [checked, setChecked] = useState(false);
  const route = useRoute();

  const signIn = (who: Omit<WhoAmI, 'id'> & { id?: string }) => {
    store.me = { id: who.id ?? '', email: who.email, role: who.role };
    void store.load().then(() => store.connect());
  };
  useEffect(() => {
    whenUnauthorized(() => store.reset());
    void api<WhoAmI>('GET', '/auth/me').then((result) => {
      setChecked(true);
      if (result.ok) signIn(result.body);
      else store.reset();
    });
  }, []);

  if (!checked) return <p class="boot">Loading…</p>;
  if (!me) return <Login onLogin={signIn} />;
  const logout = async () => {
    await api('POST', '/auth/logout');
    store.reset();
    location.hash = '';
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="bar">
        <a class="brand" href={href()}>
          Shipshape <span class="muted">manager</span>
        </a>
        <nav aria-label="Views">
          <ul>
            {NAV.filter((item) => !item.admin || me.role === 'admin').map((item) => (
              <li key={item.to}>
                <a href={item.to} aria-current={item.views.includes(route.view) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div id="session">
          <span id="live" class={`live ${live === 'live' ? 'on' : 'off'}`} role="status" title="Live updates from the manager">
            {live === 'live' ? 'live' : live}
          </span>
          <span id="who">
            {me.email} ({me.role})
          </span>
          <button id="logout" type="button" class="ghost" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1} key={routeKey(route)}>
        <View route={route} admin={me.role === 'admin'} />
      </main>
    </>
  );
}

function routeKey(route: Route): string {
  return 'id' in route ? `${route.view}:${route.id}` : route.view;
}

function View({ route, admin }: { route: Route; admin: boolean }) {
  switch (route.view) {
    case 'overview':
      return <Overview />;
    case 'host':
      return <HostDetail id={route.id} />;
    case 'deployments':
      return <Deployments />;
    case 'deployment':
      return <DeploymentDetail id={route.id} />;
    case 'deploy':
      return <Deploy />;
    case 'report':
      return <Report />;
    case 'audit':
      return admin ? <Audit /> : <AdminsOnly />;
    case 'users':
      return admin ? <Users /> : <AdminsOnly />;
    case 'search':
      return <Search />;
    case 'alerts':
      return admin ? <Alerts /> : <AdminsOnly />;
    case 'not-found':
      return (
        <>
          <ViewTitle>Not found</ViewTitle>
          <p>
            Nothing lives at “{route.path}”. <a href={href()}>Back to the fleet</a>
          </p>
        </>
      );
  }
}

function AdminsOnly() {
  return (
    <>
      <ViewTitle>Admins only</ViewTitle>
      <p>This view needs the admin role.</p>
    </>
  );
}
