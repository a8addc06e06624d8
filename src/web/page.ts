/**
 * The dashboard's one page. Everything it needs is served by the manager itself (no CDN, no
 * fonts from elsewhere), and the Content-Security-Policy forbids anything else.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shipshape manager</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%231f6feb'/%3E%3Cpath d='M3 10h10l-2 3H5z' fill='white'/%3E%3C/svg%3E">
<link rel="stylesheet" href="/ui/app.css">
<script src="/ui/app.js" defer></script>
</head>
<body>
<header class="bar">
  <h1>Shipshape <span class="muted">manager</span></h1>
  <div id="session" hidden>
    <span id="live" class="live off" title="Live updates">offline</span>
    <span id="who"></span>
    <button id="logout" type="button" class="ghost">Log out</button>
  </div>
</header>
<main>
  <section id="login-view" class="card narrow" hidden>
    <h2>Log in</h2>
    <form id="login-form" autocomplete="on">
      <label>E-mail <input id="login-email" name="email" type="email" autocomplete="username" required></label>
      <label>Password <input id="login-password" name="password" type="password" autocomplete="current-password" required></label>
      <p id="login-error" class="error" role="alert" hidden></p>
      <button type="submit">Log in</button>
    </form>
  </section>
  <section id="app-view" hidden>
    <div class="summary" id="summary"></div>
    <section class="card">
      <div class="card-head">
        <h2>Hosts</h2>
        <button id="show-register" type="button" class="ghost admin-only">Register a host</button>
      </div>
      <form id="register-form" class="inline-form" hidden>
        <input id="reg-hostname" placeholder="hostname" required maxlength="253">
        <input id="reg-ip" placeholder="IP or address" required maxlength="255">
        <input id="reg-port" type="number" placeholder="agent port" value="8003" min="1" max="65535" required>
        <input id="reg-max" type="number" placeholder="max deployments" value="10" min="1" required>
        <button type="submit">Register</button>
      </form>
      <p id="register-result" class="notice" hidden></p>
      <table id="hosts">
        <thead><tr><th>Host</th><th>Address</th><th>Status</th><th>CPU</th><th>Memory</th><th>Deployments</th><th>Containers</th><th>Last heartbeat</th></tr></thead>
        <tbody></tbody>
      </table>
      <p id="hosts-empty" class="muted" hidden>No hosts yet. Register one, then start its agent with the id and key you get.</p>
    </section>
    <section class="card">
      <h2>Deployments</h2>
      <table id="deployments">
        <thead><tr><th>Name</th><th>State</th><th>Host</th><th>Findings</th><th>Created</th><th></th></tr></thead>
        <tbody></tbody>
      </table>
      <p id="deployments-empty" class="muted" hidden>No deployments yet.</p>
    </section>
    <p id="app-error" class="error" role="alert" hidden></p>
  </section>
</main>
</body>
</html>
`;

export const DASHBOARD_CSS = `
:root { --bg: #f6f8fa; --card: #fff; --text: #1f2328; --muted: #656d76; --line: #d0d7de; --accent: #1f6feb;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --idle: #6e7781; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --card: #161b22; --text: #e6edf3; --muted: #8d96a0; --line: #30363d; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text); font-size: 14px; }
.bar { display: flex; align-items: center; justify-content: space-between; padding: 10px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
.bar h1 { font-size: 18px; margin: 0; }
#session { display: flex; gap: 12px; align-items: center; }
main { max-width: 1200px; margin: 24px auto; padding: 0 24px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 20px; }
.card h2 { font-size: 16px; margin: 0 0 12px; }
.card-head { display: flex; justify-content: space-between; align-items: center; }
.narrow { max-width: 380px; margin: 60px auto; }
form label { display: block; margin-bottom: 12px; color: var(--muted); }
form input { display: block; width: 100%; margin-top: 4px; padding: 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--text); font: inherit; }
.inline-form { display: flex; gap: 8px; margin-bottom: 12px; flex-wrap: wrap; }
.inline-form input { width: auto; flex: 1; min-width: 120px; margin: 0; }
button { background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 8px 14px; font: inherit; cursor: pointer; }
button.ghost { background: transparent; color: var(--accent); border: 1px solid var(--line); }
button.small { padding: 3px 8px; font-size: 12px; }
button.danger { color: var(--bad); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 8px 6px; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
tr:last-child td { border-bottom: 0; }
.muted { color: var(--muted); }
.error { color: var(--bad); }
.notice { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px; word-break: break-all; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--idle); }
.badge.online, .badge.running, .badge.healthy { background: var(--ok); }
.badge.warning, .badge.deploying, .badge.pending { background: var(--warn); }
.badge.critical, .badge.failed { background: var(--bad); }
.nowrap { white-space: nowrap; }
.small-id { font-size: 11px; }
.meter { display: inline-block; width: 70px; height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; vertical-align: middle; margin-right: 6px; }
.meter > span { display: block; height: 100%; background: var(--ok); }
.meter.warning > span { background: var(--warn); }
.meter.critical > span { background: var(--bad); }
.summary { display: flex; gap: 12px; margin-bottom: 20px; flex-wrap: wrap; }
.summary div { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 140px; }
.summary b { display: block; font-size: 22px; }
.live { font-size: 12px; padding: 2px 8px; border-radius: 10px; border: 1px solid var(--line); }
.live.on { color: var(--ok); }
.live.off { color: var(--bad); }

.gap { margin-left: 4px; }
.actions { white-space: nowrap; text-align: right; }
`;
