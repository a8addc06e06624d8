import { useState } from 'preact/hooks';
import type { LoginResponse, WhoAmI } from '../../../contract/index.js';
import { api, messageOf } from '../api.js';
import { ErrorNote } from '../ui/index.js';

export function Login({ onLogin }: { onLogin: (me: Omit<WhoAmI, 'id'>) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await api<LoginResponse>('POST', '/auth/login', { email, password, session: true });
    setBusy(false);
    if (!result.ok) {
      setError(result.status === 422 ? 'Enter an e-mail address and a password.' : messageOf(result));
      return;
    }
    setPassword('');
    onLogin({ email: result.body.email, role: result.body.role });
  };
  return (
    <main id="main" class="login">
      <section class="card narrow" aria-labelledby="login-title">
        <h1 id="login-title">Log in to Shipshape</h1>
        <form id="login-form" onSubmit={submit}>
          <label>
            E-mail
            <input id="login-email" type="email" autocomplete="username" required autoFocus value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <label>
            Password
            <input id="login-password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          <div id="login-error">
            <ErrorNote text={error} />
          </div>
          <button type="submit" disabled={busy}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
        </form>
      </section>
    </main>
  );
}
