// Orka console: a small single-page app over the gateway's REST API (/api). No dependencies, no
// build step. Pages are chosen by the URL hash; each page draws its forms once and refreshes its
// data every REFRESH_MS (or live through Server-Sent Events for the message tail).
'use strict';

const REFRESH_MS = 2000;
const LAG_HISTORY_POINTS = 300;

// ---------- helpers ----------

/** Builds an element: h('td', {class: 'num'}, 'text', child…). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Calls the API; throws an Error carrying the problem's detail and code on failure. */
async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 204) return null;
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = new Error(data && data.detail ? `${data.detail} (${data.error || res.status})` : `HTTP ${res.status}`);
    err.status = res.status;
    err.problem = data;
    throw err;
  }
  return data;
}

/** Every item of a paged list (follows nextCursor, at most 20 pages). */
async function all(path) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 20; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api('GET', `${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return items;
}

const enc = encodeURIComponent;
const fmtInt = n => (n < 0 ? '—' : Number(n).toLocaleString('en-US'));
const fmtRate = r => (r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1));
function fmtBytes(b) {
  if (b < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return `${i === 0 ? b : b.toFixed(1)} ${units[i]}`;
}
const fmtTime = ms => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const pill = s => h('span', { class: `pill ${s}` }, s);

function toast(message, isError) {
  const t = document.getElementById('toast');
  t.textContent = message;
  t.className = isError ? 'error' : '';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, isError ? 8000 : 3000);
}

/** Runs an action from a form or button; reports failures in the toast. */
async function act(fn, success) {
  try {
    const result = await fn();
    if (success) toast(success, false);
    return result;
  } catch (e) {
    toast(e.message, true);
    return undefined;
  }
}

/** Parses "key=value" lines (blank lines ignored) into an object. */
function parsePairs(text) {
  const out = {};
  for (const line of text.split('\n').map(l => l.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`"${line}" is not key=value`);
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

function setStatus(ok, text) {
  const s = document.getElementById('status');
  s.textContent = text;
  s.style.color = ok ? '' : '#f87171';
}

// ---------- page lifecycle ----------

let page = { cleanup: [] };

function every(ms, fn) {
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      await fn();
      setStatus(true, `updated ${new Date().toLocaleTimeString()}`);
    } catch (e) {
      setStatus(false, `refresh failed: ${e.message}`);
    }
  };
  tick();
  const id = setInterval(tick, ms);
  page.cleanup.push(() => { stopped = true; clearInterval(id); });
}

function mount(...children) {
  const main = document.getElementById('page');
  main.replaceChildren(...children);
}

const routes = [
  [/^#?\/?$/, clusterPage],
  [/^#\/topics\/?$/, topicsPage],
  [/^#\/topics\/([^/]+)\/messages$/, messagesPage],
  [/^#\/topics\/([^/]+)$/, topicPage],
  [/^#\/groups\/?$/, groupsPage],
  [/^#\/groups\/(.+)$/, groupPage],
];

function route() {
  page.cleanup.forEach(f => f());
  page = { cleanup: [] };
  const hash = location.hash || '#/';
  for (const a of document.querySelectorAll('header nav a[data-nav]')) {
    const nav = a.dataset.nav;
    a.classList.toggle('active', nav === 'cluster' ? hash === '#/' : hash.startsWith(`#/${nav}`));
  }
  for (const [re, render] of routes) {
    const m = hash.match(re);
    if (m) {
      render(...m.slice(1).map(decodeURIComponent));
      return;
    }
  }
  mount(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the cluster')));
}

window.addEventListener('hashchange', route);

// ---------- cluster ----------

function clusterPage() {
  document.title = 'Cluster · Orka';
  const cards = h('div', { class: 'cards', id: 'cluster-cards' });
  const nodes = h('tbody', { id: 'nodes' });
  mount(
    h('h1', {}, 'Cluster'),
    cards,
    h('div', { class: 'panel' },
      h('h2', {}, 'Nodes'),
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'Node'), h('th', {}, 'Status'), h('th', {}, 'Silo address'),
          h('th', { class: 'num' }, 'Partitions'), h('th', { style: 'width:35%' }, ''))),
        nodes)));
  every(REFRESH_MS, async () => {
    const c = await api('GET', '/api/cluster');
    cards.replaceChildren(
      card('Health', pill(c.health.status)),
      card('Active nodes', `${c.health.activeNodes} / ${c.health.knownNodes}`),
      card('Topics', fmtInt(c.topics)),
      card('Partitions', fmtInt(c.partitions)),
      card('Unavailable partitions', fmtInt(c.health.unavailablePartitions)));
    const max = Math.max(1, ...c.nodes.map(n => n.partitionsHeld));
    nodes.replaceChildren(...c.nodes.map(n => h('tr', { 'data-node': n.id },
      h('td', { class: 'num' }, n.id),
      h('td', {}, pill(n.status)),
      h('td', { class: 'mono' }, n.address || '—'),
      h('td', { class: 'num' }, fmtInt(n.partitionsHeld)),
      h('td', {}, h('div', { class: 'bar', style: `width:${(100 * n.partitionsHeld) / max}%` })))));
  });
}

function card(label, value, id) {
  return h('div', { class: 'card', id }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

// ---------- topics ----------

function topicsPage() {
  document.title = 'Topics · Orka';
  const rows = h('tbody', { id: 'topics' });
  const form = h('form', { class: 'inline', id: 'create-topic' },
    h('label', {}, 'Name', h('input', { name: 'name', required: true, placeholder: 'orders', pattern: '[a-zA-Z0-9._-]+' })),
    h('label', {}, 'Partitions', h('input', { name: 'partitions', type: 'number', min: 1, value: 3, style: 'width:90px' })),
    h('label', {}, 'Config (key=value per line)', h('textarea', { name: 'config', rows: 1, placeholder: 'retention.ms=604800000' })),
    h('button', { type: 'submit' }, 'Create topic'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const f = new FormData(form);
    const created = await act(async () => api('POST', '/api/topics', {
      name: f.get('name').trim(), partitions: Number(f.get('partitions')), config: parsePairs(f.get('config')),
    }), `Topic ${f.get('name')} created`);
    if (created) location.hash = `#/topics/${enc(created.name)}`;
  });
  mount(
    h('h1', {}, 'Topics'),
    h('div', { class: 'panel' }, h('h2', {}, 'New topic'), form),
    h('div', { class: 'panel' },
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Topic'), h('th', { class: 'num' }, 'Partitions'), h('th', { class: 'num' }, 'Records'),
          h('th', { class: 'num' }, 'Size'), h('th', { class: 'num' }, 'In (rec/s)'), h('th', { class: 'num' }, 'Out (rec/s)'), h('th', {}, 'Created'))),
        rows)));
  every(REFRESH_MS, async () => {
    const topics = await all('/api/topics');
    rows.replaceChildren(...(topics.length ? topics.map(t => h('tr', { 'data-topic': t.name },
      h('td', {}, h('a', { href: `#/topics/${enc(t.name)}` }, t.name)),
      h('td', { class: 'num' }, t.partitions),
      h('td', { class: 'num' }, fmtInt(t.records)),
      h('td', { class: 'num' }, fmtBytes(t.sizeBytes)),
      h('td', { class: 'num' }, fmtRate(t.recordsInPerSecond)),
      h('td', { class: 'num' }, fmtRate(t.recordsOutPerSecond)),
      h('td', { class: 'muted' }, new Date(t.createdAt).toLocaleString()))) : [h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No topics yet.'))]));
  });
}

function topicPage(name) {
  document.title = `${name} · Orka`;
  const cards = h('div', { class: 'cards' });
  const partitions = h('tbody', { id: 'partitions' });
  const config = h('tbody', { id: 'config' });
  const partitionSelect = h('select', { name: 'partition' }, h('option', { value: '' }, 'auto (by key)'));

  const produce = h('form', { class: 'inline', id: 'produce' },
    h('label', {}, 'Key', h('input', { name: 'key', placeholder: '(none)' })),
    h('label', {}, 'Value', h('textarea', { name: 'value', rows: 1, placeholder: '{"hello":"world"}' })),
    h('label', {}, 'Headers (key=value per line)', h('textarea', { name: 'headers', rows: 1 })),
    h('label', {}, 'Partition', partitionSelect),
    h('button', { type: 'submit' }, 'Produce'));
  produce.addEventListener('submit', async e => {
    e.preventDefault();
    const f = new FormData(produce);
    const record = { value: f.get('value'), headers: parsePairs(f.get('headers')) };
    if (f.get('key')) record.key = f.get('key');
    if (f.get('partition') !== '') record.partition = Number(f.get('partition'));
    const r = await act(() => api('POST', `/api/topics/${enc(name)}/records`, { records: [record] }));
    if (r) toast(`Produced to partition ${r.records[0].partition} at offset ${r.records[0].offset}`, false);
  });

  const alter = h('form', { class: 'inline', id: 'alter-config' },
    h('label', {}, 'Set (key=value per line)', h('textarea', { name: 'set', rows: 1, placeholder: 'retention.ms=3600000' })),
    h('label', {}, 'Remove (keys, comma separated)', h('input', { name: 'remove' })),
    h('button', { type: 'submit' }, 'Apply'));
  alter.addEventListener('submit', async e => {
    e.preventDefault();
    const f = new FormData(alter);
    const remove = f.get('remove').split(',').map(s => s.trim()).filter(Boolean);
    if (await act(() => api('PATCH', `/api/topics/${enc(name)}/config`, { set: parsePairs(f.get('set')), remove }), 'Config changed')) alter.reset();
  });

  const grow = h('form', { class: 'inline', id: 'add-partitions' },
    h('label', {}, 'New partition count', h('input', { name: 'count', type: 'number', min: 1, style: 'width:110px' })),
    h('button', { type: 'submit', class: 'secondary' }, 'Add partitions'));
  grow.addEventListener('submit', async e => {
    e.preventDefault();
    await act(() => api('POST', `/api/topics/${enc(name)}/partitions`, { count: Number(new FormData(grow).get('count')) }), 'Partitions added');
  });

  const del = h('button', { class: 'danger', id: 'delete-topic', onclick: async () => {
    if (!confirm(`Delete topic ${name} and all its records?`)) return;
    if (await act(() => api('DELETE', `/api/topics/${enc(name)}`), `Topic ${name} deleted`) !== undefined) location.hash = '#/topics';
  } }, 'Delete topic');

  mount(
    h('div', { class: 'crumbs' }, h('a', { href: '#/topics' }, 'Topics'), ' / '),
    h('div', { class: 'row' }, h('h1', { id: 'topic-name' }, name), h('span', { class: 'spacer' }),
      h('a', { href: `#/topics/${enc(name)}/messages`, id: 'browse' }, 'Browse messages →')),
    cards,
    h('div', { class: 'panel' },
      h('h2', {}, 'Partitions'),
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'Partition'), h('th', { class: 'num' }, 'Node'), h('th', { class: 'num' }, 'Log start'),
          h('th', { class: 'num' }, 'Log end'), h('th', { class: 'num' }, 'Records'), h('th', { class: 'num' }, 'Size'))),
        partitions)),
    h('div', { class: 'panel' }, h('h2', {}, 'Produce a test record'), produce),
    h('div', { class: 'grid' },
      h('div', { class: 'panel' }, h('h2', {}, 'Config'),
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'))), config), h('p'), alter),
      h('div', { class: 'panel' }, h('h2', {}, 'Partitions and deletion'), grow, h('p'), del)));

  let knownPartitions = -1;
  every(REFRESH_MS, async () => {
    let t;
    try {
      t = await api('GET', `/api/topics/${enc(name)}`);
    } catch (e) {
      if (e.status === 404) { mount(h('h1', {}, name), h('p', { class: 'empty' }, 'This topic does not exist (any more).'), h('a', { href: '#/topics' }, 'All topics')); page.cleanup.forEach(f => f()); return; }
      throw e;
    }
    const records = t.partitions.reduce((s, p) => s + Math.max(0, p.logEndOffset - p.logStartOffset), 0);
    cards.replaceChildren(
      card('Partitions', t.partitions.length),
      card('Records', fmtInt(records), 'topic-records'),
      card('Size', fmtBytes(t.sizeBytes)),
      card('In (rec/s)', fmtRate(t.recordsInPerSecond)),
      card('Out (rec/s)', fmtRate(t.recordsOutPerSecond)));
    partitions.replaceChildren(...t.partitions.map(p => h('tr', { 'data-partition': p.partition },
      h('td', { class: 'num' }, p.partition), h('td', { class: 'num' }, p.node),
      h('td', { class: 'num' }, fmtInt(p.logStartOffset)), h('td', { class: 'num' }, fmtInt(p.logEndOffset)),
      h('td', { class: 'num' }, fmtInt(Math.max(0, p.logEndOffset - p.logStartOffset))), h('td', { class: 'num' }, fmtBytes(p.sizeBytes)))));
    const keys = Object.keys(t.config).sort();
    config.replaceChildren(...(keys.length ? keys.map(k => h('tr', {}, h('td', { class: 'mono' }, k), h('td', { class: 'mono' }, t.config[k])))
      : [h('tr', {}, h('td', { colspan: 2, class: 'empty' }, 'Broker defaults.'))]));
    if (knownPartitions !== t.partitions.length) {
      knownPartitions = t.partitions.length;
      const chosen = partitionSelect.value;
      partitionSelect.replaceChildren(h('option', { value: '' }, 'auto (by key)'), ...t.partitions.map(p => h('option', { value: p.partition }, p.partition)));
      partitionSelect.value = chosen;
    }
  });
}

// ---------- message browser ----------

function messagesPage(name) {
  document.title = `${name} messages · Orka`;
  const rows = h('tbody', { id: 'messages' });
  const info = h('span', { class: 'muted', id: 'messages-info' });
  const partition = h('select', { name: 'partition', id: 'msg-partition' });
  const mode = h('select', { name: 'mode', id: 'msg-mode' }, h('option', { value: 'offset' }, 'from offset'), h('option', { value: 'time' }, 'from time'));
  const offset = h('input', { name: 'offset', id: 'msg-offset', type: 'number', min: 0, placeholder: 'log start', style: 'width:120px' });
  const time = h('input', { name: 'time', id: 'msg-time', type: 'datetime-local', step: 0.001, hidden: true });
  const limit = h('input', { name: 'limit', type: 'number', min: 1, max: 1000, value: 50, style: 'width:80px' });
  const next = h('button', { type: 'button', class: 'secondary', id: 'msg-next', disabled: true }, 'Next page');
  const live = h('button', { type: 'button', class: 'secondary', id: 'live-tail' }, 'Start live tail');
  let nextOffset = null;
  let source = null;

  mode.addEventListener('change', () => { offset.hidden = mode.value !== 'offset'; time.hidden = mode.value !== 'time'; });
  const form = h('form', { class: 'inline', id: 'browse-form' },
    h('label', {}, 'Partition', partition), h('label', {}, 'Start', mode), h('label', {}, 'Offset / time (UTC)', h('div', {}, offset, time)),
    h('label', {}, 'Limit', limit), h('button', { type: 'submit', id: 'msg-go' }, 'Read'), next, live);

  function row(r, fresh) {
    return h('tr', { class: fresh ? 'fresh' : null, 'data-offset': r.offset, 'data-partition': r.partition },
      h('td', { class: 'num' }, r.partition), h('td', { class: 'num' }, r.offset), h('td', { class: 'mono' }, fmtTime(r.timestamp)),
      h('td', { class: 'mono' }, show(r.key, r.keyEncoding)), h('td', { class: 'mono' }, show(r.value, r.valueEncoding)),
      h('td', { class: 'mono' }, r.headers.map(x => `${x.key}=${x.value === null ? 'null' : x.value}${x.encoding === 'base64' ? ' (base64)' : ''}`).join('\n')));
  }
  const show = (v, e) => (v === null ? h('span', { class: 'muted' }, 'null') : e === 'base64' ? h('span', { title: 'base64 (binary)' }, `⟨b64⟩ ${v}`) : v);

  async function read(fromOffset) {
    const p = partition.value;
    let q = `limit=${enc(limit.value || 50)}`;
    if (fromOffset !== undefined) q += `&offset=${fromOffset}`;
    else if (mode.value === 'time' && time.value) q += `&timestamp=${Date.parse(time.value + 'Z')}`; // the table shows UTC, so the input is UTC too
    else if (mode.value === 'offset' && offset.value !== '') q += `&offset=${enc(offset.value)}`;
    const result = await act(() => api('GET', `/api/topics/${enc(name)}/partitions/${p}/records?${q}`));
    if (!result) return;
    rows.replaceChildren(...(result.records.length ? result.records.map(r => row(r, false))
      : [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No records from there; the partition ends at offset ' + result.logEndOffset + '.'))]));
    nextOffset = result.nextOffset;
    next.disabled = result.nextOffset >= result.logEndOffset;
    info.textContent = `partition ${p}: offsets ${result.logStartOffset}–${result.logEndOffset} (end exclusive); showing ${result.records.length}`;
  }

  function stopTail() {
    if (source) { source.close(); source = null; }
    delete info.dataset.state;
    live.textContent = 'Start live tail';
  }
  live.addEventListener('click', () => {
    if (source) { stopTail(); return; }
    rows.replaceChildren();
    info.textContent = `live: new records of every partition of ${name} appear at the top`;
    source = new EventSource(`/api/topics/${enc(name)}/records/tail?from=latest`);
    source.addEventListener('record', ev => {
      rows.prepend(row(JSON.parse(ev.data), true));
      while (rows.children.length > 500) rows.lastChild.remove();
    });
    source.onerror = () => { info.dataset.state = 'reconnecting'; info.textContent = 'live tail interrupted; reconnecting…'; };
    source.onopen = () => { info.dataset.state = 'open'; info.textContent = `live: new records of every partition of ${name} appear at the top`; };
    live.textContent = 'Stop live tail';
  });
  page.cleanup.push(stopTail);
  form.addEventListener('submit', e => { e.preventDefault(); stopTail(); read(); });
  next.addEventListener('click', () => { stopTail(); if (nextOffset !== null) read(nextOffset); });

  mount(
    h('div', { class: 'crumbs' }, h('a', { href: '#/topics' }, 'Topics'), ' / ', h('a', { href: `#/topics/${enc(name)}` }, name), ' / '),
    h('h1', {}, `Messages of ${name}`),
    h('div', { class: 'panel' }, form, h('p', {}, info)),
    h('div', { class: 'panel' },
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'Partition'), h('th', { class: 'num' }, 'Offset'), h('th', {}, 'Timestamp (UTC)'),
          h('th', {}, 'Key'), h('th', { style: 'width:40%' }, 'Value'), h('th', {}, 'Headers'))),
        rows)));

  (async () => {
    const t = await act(() => api('GET', `/api/topics/${enc(name)}`));
    if (!t) return;
    partition.replaceChildren(...t.partitions.map(p => h('option', { value: p.partition }, `${p.partition} (${fmtInt(p.logEndOffset - p.logStartOffset)} records)`)));
    // Start on the first partition that holds records, so the page shows something at once.
    const first = t.partitions.find(p => p.logEndOffset > p.logStartOffset);
    if (first) partition.value = first.partition;
    read();
  })();
}

// ---------- consumer groups ----------

const lagHistory = new Map(); // group id → [{t, total, parts: {"topic/p": lag}}], kept while the console is open

function recordLag(groupId, offsets) {
  const points = lagHistory.get(groupId) || [];
  const parts = {};
  for (const o of offsets) parts[`${o.topic}/${o.partition}`] = o.lag;
  points.push({ t: Date.now(), total: offsets.reduce((s, o) => s + Math.max(0, o.lag), 0), parts });
  while (points.length > LAG_HISTORY_POINTS) points.shift();
  lagHistory.set(groupId, points);
  return points;
}

function groupsPage() {
  document.title = 'Consumer groups · Orka';
  const rows = h('tbody', { id: 'groups' });
  mount(
    h('h1', {}, 'Consumer groups'),
    h('div', { class: 'panel' },
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Group'), h('th', {}, 'State'), h('th', {}, 'Protocol type'), h('th', { class: 'num' }, 'Members'), h('th', { class: 'num' }, 'Total lag'))),
        rows)));
  every(REFRESH_MS, async () => {
    const groups = await all('/api/groups');
    rows.replaceChildren(...(groups.length ? groups.map(g => h('tr', { 'data-group': g.groupId },
      h('td', {}, h('a', { href: `#/groups/${enc(g.groupId)}` }, g.groupId)), h('td', {}, pill(g.state)), h('td', {}, g.protocolType || '—'),
      h('td', { class: 'num' }, fmtInt(g.members)), h('td', { class: 'num' }, fmtInt(g.totalLag))))
      : [h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No consumer groups yet.'))]));
  });
}

function groupPage(groupId) {
  document.title = `${groupId} · Orka`;
  const cards = h('div', { class: 'cards' });
  const offsets = h('tbody', { id: 'group-offsets' });
  const members = h('tbody', { id: 'group-members' });
  const canvas = h('canvas', { id: 'lag-chart', width: 1200, height: 260 });
  const legend = h('div', { class: 'muted', id: 'lag-legend' });

  const reset = h('form', { class: 'inline', id: 'reset-offsets' },
    h('label', {}, 'Topic', h('input', { name: 'topic', required: true })),
    h('label', {}, 'Partitions (comma separated, empty = all)', h('input', { name: 'partitions' })),
    h('label', {}, 'To', h('select', { name: 'kind' }, ...['Earliest', 'Latest', 'Timestamp', 'Offset'].map(k => h('option', { value: k }, k)))),
    h('label', {}, 'Value (ms or offset)', h('input', { name: 'value', type: 'number', style: 'width:140px' })),
    h('button', { type: 'submit', class: 'secondary' }, 'Reset offsets'));
  reset.addEventListener('submit', async e => {
    e.preventDefault();
    const f = new FormData(reset);
    const parts = f.get('partitions').split(',').map(s => s.trim()).filter(Boolean).map(Number);
    await act(() => api('POST', `/api/groups/${enc(groupId)}/offsets/reset`, {
      topic: f.get('topic').trim(), partitions: parts.length ? parts : null, kind: f.get('kind'), value: Number(f.get('value') || 0),
    }), 'Offsets reset');
  });
  const del = h('button', { class: 'danger', id: 'delete-group', onclick: async () => {
    if (!confirm(`Delete group ${groupId} and its committed offsets?`)) return;
    if (await act(() => api('DELETE', `/api/groups/${enc(groupId)}`), `Group ${groupId} deleted`) !== undefined) location.hash = '#/groups';
  } }, 'Delete group');

  mount(
    h('div', { class: 'crumbs' }, h('a', { href: '#/groups' }, 'Consumer groups'), ' / '),
    h('h1', { id: 'group-name' }, groupId),
    cards,
    h('div', { class: 'panel' }, h('h2', {}, 'Lag over time'), canvas, legend),
    h('div', { class: 'panel' },
      h('h2', {}, 'Committed offsets and lag'),
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Topic'), h('th', { class: 'num' }, 'Partition'), h('th', { class: 'num' }, 'Committed'),
          h('th', { class: 'num' }, 'Log end'), h('th', { class: 'num' }, 'Lag'), h('th', {}, 'Member'))),
        offsets)),
    h('div', { class: 'panel' },
      h('h2', {}, 'Members'),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Member'), h('th', {}, 'Client'), h('th', {}, 'Assignment'))), members)),
    h('div', { class: 'panel' }, h('h2', {}, 'Reset offsets (group must be empty)'), reset, h('p'), del));

  every(REFRESH_MS, async () => {
    let g;
    try {
      g = await api('GET', `/api/groups/${enc(groupId)}`);
    } catch (e) {
      if (e.status === 404) { cards.replaceChildren(card('State', pill('Unknown'))); offsets.replaceChildren(); return; }
      throw e;
    }
    cards.replaceChildren(
      card('State', pill(g.state)),
      card('Protocol', `${g.protocolType || '—'} ${g.protocolName || ''}`),
      card('Generation', g.generationId),
      card('Members', g.members.length),
      card('Total lag', fmtInt(g.totalLag), 'group-total-lag'));
    offsets.replaceChildren(...(g.offsets.length ? g.offsets.map(o => h('tr', { 'data-tp': `${o.topic}/${o.partition}` },
      h('td', {}, h('a', { href: `#/topics/${enc(o.topic)}` }, o.topic)), h('td', { class: 'num' }, o.partition),
      h('td', { class: 'num' }, fmtInt(o.committedOffset)), h('td', { class: 'num' }, fmtInt(o.logEndOffset)),
      h('td', { class: 'num lag' }, fmtInt(o.lag)), h('td', { class: 'mono' }, o.memberId || '—')))
      : [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No committed offsets.'))]));
    members.replaceChildren(...(g.members.length ? g.members.map(m => h('tr', {},
      h('td', { class: 'mono' }, m.memberId), h('td', {}, m.clientId),
      h('td', { class: 'mono' }, m.assignment.map(a => `${a.topic}: ${a.partitions.join(', ')}`).join('\n') || '—')))
      : [h('tr', {}, h('td', { colspan: 3, class: 'empty' }, 'No members (the group is empty).'))]));
    drawLag(canvas, legend, recordLag(groupId, g.offsets));
  });
}

const PALETTE = ['#2f6fed', '#e8590c', '#2b8a3e', '#ae3ec9', '#c92a2a', '#1098ad', '#5c940d', '#d6336c'];

/** Total lag (thick) and each partition's lag (thin) against time, on a canvas. */
function drawLag(canvas, legend, points) {
  const ctx = canvas.getContext('2d');
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 900;
  const hgt = canvas.clientHeight || 260;
  canvas.width = w * ratio;
  canvas.height = hgt * ratio;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  const pad = { l: 64, r: 16, t: 12, b: 28 };
  const plotW = w - pad.l - pad.r;
  const plotH = hgt - pad.t - pad.b;
  const maxLag = Math.max(1, ...points.map(p => p.total));
  const t0 = points.length ? points[0].t : Date.now();
  const t1 = Math.max(t0 + 10000, points.length ? points[points.length - 1].t : t0);
  const x = t => pad.l + ((t - t0) / (t1 - t0)) * plotW;
  const y = v => pad.t + plotH - (Math.max(0, v) / maxLag) * plotH;

  ctx.font = '12px system-ui, sans-serif';
  ctx.strokeStyle = '#e3e6eb';
  ctx.fillStyle = '#667085';
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = (maxLag * i) / 4;
    const yy = y(v);
    ctx.beginPath(); ctx.moveTo(pad.l, yy); ctx.lineTo(w - pad.r, yy); ctx.stroke();
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    ctx.fillText(Math.round(v).toLocaleString('en-US'), pad.l - 8, yy);
  }
  ctx.textBaseline = 'top';
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    ctx.textAlign = i === 0 ? 'left' : i === 4 ? 'right' : 'center';
    ctx.fillText(new Date(t).toLocaleTimeString(), x(t), hgt - pad.b + 8);
  }
  if (points.length === 0) return;

  const series = [...new Set(points.flatMap(p => Object.keys(p.parts)))].sort();
  series.slice(0, PALETTE.length).forEach((key, i) => {
    ctx.strokeStyle = PALETTE[i]; ctx.globalAlpha = 0.45; ctx.lineWidth = 1;
    line(ctx, points.filter(p => key in p.parts).map(p => [x(p.t), y(p.parts[key])]));
  });
  ctx.globalAlpha = 1; ctx.strokeStyle = '#111827'; ctx.lineWidth = 2.5;
  line(ctx, points.map(p => [x(p.t), y(p.total)]));
  legend.textContent = `total lag now ${points[points.length - 1].total.toLocaleString('en-US')} (thick line); thin lines: ${series.slice(0, PALETTE.length).join(', ')}; sampled every ${REFRESH_MS / 1000} s while this page is open`;
}

function line(ctx, xy) {
  if (xy.length === 0) return;
  ctx.beginPath();
  ctx.moveTo(xy[0][0], xy[0][1]);
  for (const [px, py] of xy.slice(1)) ctx.lineTo(px, py);
  if (xy.length === 1) ctx.arc(xy[0][0], xy[0][1], 2, 0, 2 * Math.PI);
  ctx.stroke();
}

route();
