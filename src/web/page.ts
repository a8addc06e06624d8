/**
 * The dashboard's one page: a shell the script (src/web/app, bundled to /ui/app.js) fills. Everything
 * it needs is served by the manager itself (no CDN, no fonts from elsewhere), and the
 * Content-Security-Policy forbids anything else.
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
<div id="root"><p class="boot">Loading the dashboard…</p></div>
<noscript><p class="boot">The Shipshape dashboard needs JavaScript. The API is documented at <a href="/docs">/docs</a>.</p></noscript>
</body>
</html>
`;
