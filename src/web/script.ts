/**
 * The dashboard's script, served as /ui/app.js. Plain ES2020 for the browser: it logs in for a
 * session cookie, loads hosts and deployments, and keeps them current from GET /events. Data
 * reaches the page only through textContent, never as HTML.
 */
export const DASHBOARD_JS = String.raw`
'use strict';
(function () {
  var CSRF = { 'x-shipshape-csrf': '1' };
  var state = { me: null, hosts: new Map(), deployments: new Map(), source: null };
  var $ = function (id) { return document.getElementById(id); };

  function api(method, path, body) {
    var headers = Object.assign({ accept: 'application/json' }, method === 'GET' ? {} : CSRF);
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        if (response.status === 204) return { status: 204, body: null };
        return response.json().catch(function () { return null; }).then(function (json) { return { status: response.status, body: json }; });
      });
  }

  function messageOf(result) {
    var body = result.body || {};
    if (typeof body.detail === 'string') return body.detail;
    if (body.error && body.error.message) return body.error.message;
    return 'HTTP ' + result.status;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'class') node.className = attrs[key];
      else if (key === 'text') node.textContent = attrs[key];
      else if (key.indexOf('data-') === 0) node.setAttribute(key, attrs[key]);
      else node[key] = attrs[key];
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function ago(iso) {
    if (!iso) return 'never';
    var seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (seconds < 60) return seconds + ' s ago';
    if (seconds < 3600) return Math.round(seconds / 60) + ' min ago';
    if (seconds < 86400) return Math.round(seconds / 3600) + ' h ago';
    return new Date(iso).toLocaleString();
  }

  function meter(percent) {
    var level = percent >= 90 ? 'critical' : percent >= 75 ? 'warning' : '';
    var bar = el('span');
    bar.style.width = Math.min(100, Math.max(0, percent)) + '%';
    return el('span', { class: 'nowrap' }, [el('span', { class: 'meter ' + level }, [bar]), el('span', { text: percent + ' %' })]);
  }

  function showError(text) {
    var node = $('app-error');
    node.textContent = text || '';
    node.hidden = !text;
  }

  // --- views ------------------------------------------------------------------------------

  function renderSummary() {
    var hosts = Array.from(state.hosts.values());
    var deployments = Array.from(state.deployments.values());
    var online = hosts.filter(function (h) { return h.status === 'online'; }).length;
    var running = deployments.filter(function (d) { return d.state === 'running'; }).length;
    var failed = deployments.filter(function (d) { return d.state === 'failed'; }).length;
    var room = hosts.filter(function (h) { return h.status === 'online'; }).reduce(function (n, h) { return n + Math.max(0, h.max_containers - h.deployments); }, 0);
    var box = $('summary');
    box.textContent = '';
    [['Hosts online', online + ' / ' + hosts.length], ['Deployments running', String(running)], ['Failed', String(failed)], ['Free slots', String(room)]]
      .forEach(function (pair) { box.appendChild(el('div', {}, [el('span', { class: 'muted', text: pair[0] }), el('b', { text: pair[1] })])); });
  }

  function renderHosts() {
    var body = document.querySelector('#hosts tbody');
    body.textContent = '';
    var hosts = Array.from(state.hosts.values()).sort(function (a, b) { return a.hostname.localeCompare(b.hostname); });
    hosts.forEach(function (h) {
      var status = el('span', {}, [
        el('span', { class: 'badge ' + h.status, text: h.status }),
        h.status === 'online' ? el('span', { class: 'badge gap ' + h.healthiness, text: h.healthiness }) : null,
      ]);
      body.appendChild(el('tr', { 'data-host': h.id }, [
        el('td', {}, [el('b', { text: h.hostname }), el('div', { class: 'muted small-id', text: h.id })]),
        el('td', { text: h.ip + ':' + h.api_port }),
        el('td', { class: 'status nowrap' }, [status]),
        el('td', {}, [meter(h.cpu_percent)]),
        el('td', {}, [meter(h.mem_percent)]),
        el('td', { class: 'slots', text: h.deployments + ' / ' + h.max_containers }),
        el('td', { text: String(h.current_containers) }),
        el('td', { class: 'seen', text: ago(h.last_seen) }),
      ]));
    });
    $('hosts-empty').hidden = hosts.length > 0;
    $('hosts').hidden = hosts.length === 0;
    renderSummary();
  }

  function renderDeployments() {
    var body = document.querySelector('#deployments tbody');
    body.textContent = '';
    var canAct = state.me && state.me.role !== 'viewer';
    var list = Array.from(state.deployments.values()).sort(function (a, b) { return b.created_at.localeCompare(a.created_at); });
    list.forEach(function (d) {
      var host = d.host_id ? state.hosts.get(d.host_id) : null;
      var worst = d.findings.reduce(function (acc, f) { return acc || f.severity; }, '');
      var actions = el('td', { class: 'actions' });
      if (canAct) {
        if (d.state === 'running') actions.appendChild(el('button', { class: 'ghost small', type: 'button', text: 'Restart', onclick: function () { act('POST', d, '/restart'); } }));
        actions.appendChild(el('button', { class: 'ghost small danger', type: 'button', text: 'Delete', onclick: function () {
          if (confirm('Take down ' + d.name + '?')) act('DELETE', d, d.state === 'pending' || d.state === 'deploying' ? '?force=true' : '');
        } }));
      }
      body.appendChild(el('tr', { 'data-deployment': d.id }, [
        el('td', {}, [el('b', { text: d.name }), d.user_id ? el('div', { class: 'muted', text: 'for ' + d.user_id }) : null]),
        el('td', {}, [el('span', { class: 'badge ' + d.state, text: d.state }), d.reason ? el('div', { class: 'muted', text: d.reason }) : null]),
        el('td', { text: host ? host.hostname : (d.host_id || '-') }),
        el('td', { text: d.findings.length ? d.findings.length + ' (worst: ' + worst + ')' : 'none' }),
        el('td', { text: ago(d.created_at) }),
        actions,
      ]));
    });
    $('deployments-empty').hidden = list.length > 0;
    $('deployments').hidden = list.length === 0;
    renderSummary();
  }

  function act(method, d, suffix) {
    api(method, '/deployments/' + encodeURIComponent(d.id) + suffix).then(function (result) {
      if (result.status >= 400) return showError(d.name + ': ' + messageOf(result));
      showError('');
      // 202: the removal waits for the agent; the deployment stays (its reason says so) until it is done.
      if (method === 'DELETE' && result.status === 202 && result.body) { state.deployments.set(d.id, result.body); renderDeployments(); }
      else if (method === 'DELETE') { state.deployments.delete(d.id); renderDeployments(); }
    });
  }

  // --- data -------------------------------------------------------------------------------

  function loadAll() {
    return Promise.all([api('GET', '/hosts'), api('GET', '/deployments')]).then(function (results) {
      if (results[0].status === 401 || results[1].status === 401) return showLogin();
      state.hosts = new Map((results[0].body || []).map(function (h) { return [h.id, h]; }));
      state.deployments = new Map((results[1].body || []).map(function (d) { return [d.id, d]; }));
      renderHosts();
      renderDeployments();
    });
  }

  function refreshHost(id) {
    api('GET', '/hosts/' + encodeURIComponent(id)).then(function (result) {
      if (result.status === 404) state.hosts.delete(id);
      else if (result.status === 200) state.hosts.set(id, result.body);
      renderHosts();
      renderDeployments();
    });
  }

  function refreshDeployment(id) {
    api('GET', '/deployments/' + encodeURIComponent(id)).then(function (result) {
      if (result.status === 404) state.deployments.delete(id);
      else if (result.status === 200) state.deployments.set(id, result.body);
      renderDeployments();
    });
  }

  function connect() {
    if (state.source) state.source.close();
    var source = new EventSource('/events');
    state.source = source;
    var live = $('live');
    source.onopen = function () { live.textContent = 'live'; live.className = 'live on'; };
    source.onerror = function () { live.textContent = 'reconnecting'; live.className = 'live off'; };
    var on = function (type, handler) {
      source.addEventListener(type, function (message) {
        var event;
        try { event = JSON.parse(message.data); } catch (e) { return; }
        handler(event);
      });
    };
    on('host.heartbeat', function (e) {
      var h = state.hosts.get(e.host_id);
      if (!h) return refreshHost(e.host_id);
      h.cpu_percent = e.cpu_percent; h.mem_percent = e.mem_percent; h.current_containers = e.current_containers; h.last_seen = e.at;
      // The manager's thresholds (machine-lab's): 75 % warns, 90 % is critical.
      var peak = Math.max(e.cpu_percent, e.mem_percent);
      h.healthiness = peak >= 90 ? 'critical' : peak >= 75 ? 'warning' : 'healthy';
      if (h.status !== 'online') return refreshHost(e.host_id);
      renderHosts();
    });
    ['host.online', 'host.offline', 'host.registered', 'host.updated'].forEach(function (type) { on(type, function (e) { refreshHost(e.host_id); }); });
    on('host.deleted', function (e) { state.hosts.delete(e.host_id); renderHosts(); });
    on('deployment.state', function (e) { refreshDeployment(e.deployment_id); if (e.host_id) refreshHost(e.host_id); });
    on('deployment.removed', function (e) { state.deployments.delete(e.deployment_id); renderDeployments(); if (e.host_id) refreshHost(e.host_id); });
  }

  // --- session ----------------------------------------------------------------------------

  function showLogin() {
    if (state.source) { state.source.close(); state.source = null; }
    state.me = null;
    $('app-view').hidden = true;
    $('session').hidden = true;
    $('login-view').hidden = false;
    $('login-email').focus();
  }

  function showApp(me) {
    state.me = me;
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    $('session').hidden = false;
    $('who').textContent = me.email + ' (' + me.role + ')';
    Array.prototype.forEach.call(document.querySelectorAll('.admin-only'), function (node) { node.hidden = me.role !== 'admin'; });
    loadAll().then(connect);
  }

  function start() {
    $('login-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var error = $('login-error');
      error.hidden = true;
      api('POST', '/auth/login', { email: $('login-email').value, password: $('login-password').value, session: true }).then(function (result) {
        if (result.status !== 200) {
          error.textContent = result.status === 422 ? 'Enter an e-mail address and a password.' : messageOf(result);
          error.hidden = false;
          return;
        }
        $('login-password').value = '';
        showApp({ email: result.body.email, role: result.body.role });
      });
    });
    $('logout').addEventListener('click', function () { api('POST', '/auth/logout').then(showLogin); });
    $('show-register').addEventListener('click', function () { var form = $('register-form'); form.hidden = !form.hidden; });
    $('register-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var body = { hostname: $('reg-hostname').value, ip: $('reg-ip').value, api_port: Number($('reg-port').value), max_containers: Number($('reg-max').value) };
      api('POST', '/hosts', body).then(function (result) {
        var out = $('register-result');
        out.hidden = false;
        if (result.status !== 201) { out.textContent = messageOf(result); return; }
        out.textContent = 'Registered. Start its agent with HOST_ID=' + result.body.id + ' SERVER_KEY=' + result.body.server_key + ' (shown once).';
        $('register-form').hidden = true;
        refreshHost(result.body.id);
      });
    });
    setInterval(function () { if (state.me) { renderHosts(); renderDeployments(); } }, 5000);
    api('GET', '/auth/me').then(function (result) {
      if (result.status === 200) showApp(result.body);
      else showLogin();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
