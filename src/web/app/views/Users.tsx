import { useEffect, useState } from 'preact/hooks';
import type { Role, UserInfo } from '../../../contract/index.js';
import { api, messageOf } from '../api.js';
import { when } from '../format.js';
import { useStore } from '../store.js';
import { ErrorNote, ViewTitle } from '../ui/index.js';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];

/** Accounts and their roles (admins): create, change a role, unlock, delete. */
export function Users() {
  const { me } = useStore();
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ email: '', password: '', role: 'viewer' as Role });

  const load = async () => {
    const result = await api<UserInfo[]>('GET', '/auth/users');
    if (result.ok) setUsers(result.body);
    else setError(messageOf(result));
  };
  useEffect(() => {
    void load();
  }, []);
  const change = async (method: 'PATCH' | 'DELETE' | 'POST', path: string, body?: unknown) => {
    setError(null);
    const result = await api<unknown>(method, path, body);
    if (!result.ok) setError(messageOf(result));
    await load();
    return result.ok;
  };
  return (
    <>
      <ViewTitle>Users and roles</ViewTitle>
      <p class="muted">Viewers read; operators also deploy, restart and delete deployments; admins also manage hosts, users and read the audit log.</p>
      <ErrorNote text={error} />
      <section class="card">
        <div class="scroll" tabIndex={0}>
          <table id="users">
            <caption class="sr-only">Users</caption>
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
                <th scope="col">Locked</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.email}</th>
                  <td>
                    <select aria-label={`Role of ${u.email}`} value={u.role} onChange={(e) => void change('PATCH', `/auth/users/${u.id}`, { role: e.currentTarget.value })}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{when(u.created_at)}</td>
                  <td>
                    {u.locked_until ? (
                      <button type="button" class="ghost small" onClick={() => void change('PATCH', `/auth/users/${u.id}`, { unlock: true })}>
                        Unlock
                      </button>
                    ) : (
                      'no'
                    )}
                  </td>
                  <td>
                    {u.email !== me?.email ? (
                      <button
                        type="button"
                        class="ghost small danger"
                        aria-label={`Delete ${u.email}`}
                        onClick={() => {
                          if (confirm(`Delete ${u.email}?`)) void change('DELETE', `/auth/users/${u.id}`);
                        }}
                      >
                        Delete
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="new-user-title">
        <h2 id="new-user-title">New user</h2>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void change('POST', '/auth/users', form).then((ok) => ok && setForm({ email: '', password: '', role: 'viewer' }));
          }}
        >
          <label>
            E-mail
            <input type="email" required value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
          </label>
          <label>
            Password (8 or more characters)
            <input type="password" required minLength={8} autocomplete="new-password" value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
          </label>
          <label>
            Role
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Create</button>
        </form>
      </section>
    </>
  );
}
