// Orka console: the message browser. Reads go through the gateway's search endpoint
// (/api/topics/{name}/records/search), which filters on the server and scans a bounded number of
// records, so the browser only receives matches. The view (partition, start, filters, cursor) lives
// in the URL after '?', so it can be shared and survives a reload.
'use strict';

/** Search parameters the URL and the API share (the URL holds exactly these). */
const MESSAGE_PARAMS = ['partition', 'offset', 'timestamp', 'cursor', 'key', 'value', 'header', 'json', 'limit', 'maxScan'];

function messagesPage(name, query) {
  document.title = `${name} messages · Orka`;
  const rows = h('tbody', { id: 'messages' });
  const info = h('span', { class: 'muted', id: 'messages-info' });
  const partition = h('select', { name: 'partition', id: 'msg-partition' });
  const mode = h('select', { name: 'mode', id: 'msg-mode' }, h('option', { value: 'offset' }, 'from offset'), h('option', { value: 'time' }, 'from time'));
  const offset = h('input', { name: 'offset', id: 'msg-offset', type: 'number', min: 0, placeholder: 'log start', style: 'width:120px' });
  const time = h('input', { name: 'time', id: 'msg-time', type: 'datetime-local', step: 0.001, hidden: true });
  const limit = h('input', { name: 'limit', id: 'msg-limit', type: 'number', min: 1, max: 1000, value: 50, style: 'width:80px' });
  const maxScan = h('input', { name: 'maxScan', id: 'msg-max-scan', type: 'number', min: 1, max: 100000, value: 10000, style: 'width:100px' });
  const key = h('input', { name: 'key', id: 'msg-key', placeholder: 'substring', style: 'width:130px' });
  const value = h('input', { name: 'value', id: 'msg-value', placeholder: 'substring', style: 'width:130px' });
  const header = h('input', { name: 'header', id: 'msg-header', placeholder: 'name or name=value', style: 'width:150px' });
  const json = h('input', { name: 'json', id: 'msg-json', placeholder: '$.user.id == 42', style: 'width:200px' });
  const next = h('button', { type: 'button', class: 'secondary', id: 'msg-next', disabled: true }, 'Continue scan');
  const live = h('button', { type: 'button', class: 'secondary', id: 'live-tail' }, 'Start live tail');
  let nextCursor = null;
  let source = null;

  const showMode = () => { offset.hidden = mode.value !== 'offset'; time.hidden = mode.value !== 'time'; };
  mode.addEventListener('change', showMode);
  partition.addEventListener('change', () => { offset.disabled = partition.value === 'all'; if (offset.disabled) offset.value = ''; });
  const form = h('form', { class: 'inline', id: 'browse-form' },
    h('label', {}, 'Partition', partition), h('label', {}, 'Start', mode), h('label', {}, 'Offset / time (UTC)', h('div', {}, offset, time)),
    h('label', {}, 'Key contains', key), h('label', {}, 'Value contains', value), h('label', {}, 'Header', header),
    h('label', { title: 'PATH, PATH exists, or PATH op literal with op == != < <= > >=; e.g. $.status == \'shipped\'' }, 'JSON path', json),
    h('label', {}, 'Limit', limit), h('label', { title: 'most records read per request' }, 'Max scan', maxScan),
    h('button', { type: 'submit', id: 'msg-go' }, 'Read'), next, live);

  /** The form as search parameters (the cursor, when continuing, is added by the caller). */
  function formParams() {
    const q = new URLSearchParams();
    q.set('partition', partition.value);
    if (mode.value === 'time' && time.value) q.set('timestamp', Date.parse(time.value + 'Z')); // the table shows UTC, so the input is UTC too
    else if (mode.value === 'offset' && offset.value !== '' && partition.value !== 'all') q.set('offset', offset.value);
    for (const [k, input] of [['key', key], ['value', value], ['header', header], ['json', json]]) if (input.value.trim()) q.set(k, input.value.trim());
    q.set('limit', limit.value || 50);
    if (maxScan.value && maxScan.value !== '10000') q.set('maxScan', maxScan.value);
    return q;
  }

  /** Puts URL parameters into the form. */
  function fill(q) {
    if (q.has('partition')) partition.value = q.get('partition');
    offset.disabled = partition.value === 'all';
    if (q.has('timestamp')) { mode.value = 'time'; time.value = new Date(Number(q.get('timestamp'))).toISOString().slice(0, 23); }
    else { mode.value = 'offset'; offset.value = q.get('offset') || ''; }
    showMode();
    for (const [k, input] of [['key', key], ['value', value], ['header', header], ['json', json], ['limit', limit], ['maxScan', maxScan]]) if (q.has(k)) input.value = q.get(k);
  }

  function row(r, fresh) {
    return h('tr', { class: fresh ? 'fresh' : null, 'data-offset': r.offset, 'data-partition': r.partition },
      h('td', { class: 'num' }, r.partition), h('td', { class: 'num' }, r.offset), h('td', { class: 'mono' }, fmtTime(r.timestamp)),
      h('td', { class: 'mono' }, show(r.key, r.keyEncoding)), h('td', { class: 'mono value' }, show(r.value, r.valueEncoding)),
      h('td', { class: 'mono' }, r.headers.map(x => `${x.key}=${x.value === null ? 'null' : x.value}${x.encoding === 'base64' ? ' (base64)' : ''}`).join('\n')));
  }

  /** Runs the search the parameters describe, shows it, and writes them into the URL. */
  async function search(q) {
    const path = `#/topics/${enc(name)}/messages?${q}`;
    if (location.hash !== path) history.replaceState(null, '', path);
    const apiQuery = new URLSearchParams(q);
    if (apiQuery.get('partition') === 'all') apiQuery.delete('partition');
    const result = await act(() => api('GET', `/api/topics/${enc(name)}/records/search?${apiQuery}`));
    if (!result) return;
    rows.replaceChildren(...(result.records.length ? result.records.map(r => row(r, false))
      : [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No matching records in this scan.'))]));
    nextCursor = result.nextCursor;
    next.disabled = !nextCursor;
    const where = result.positions.map(p => `p${p.partition} at ${fmtInt(p.nextOffset)} of ${fmtInt(p.logEndOffset)}`).join(', ');
    const why = { end: 'reached the end of every partition', limit: `found ${result.records.length} (the limit)`, scanLimit: 'read the most records one scan may' }[result.stoppedBecause];
    info.dataset.stopped = result.stoppedBecause;
    info.textContent = `${fmtInt(result.records.length)} shown; scanned ${fmtInt(result.scanned)} records and stopped because it ${why}. Stopped at: ${where}.`
      + (nextCursor ? ' "Continue scan" goes on from there.' : '');
  }

  function stopTail() {
    if (source) { source.close(); source = null; }
    delete info.dataset.state;
    live.textContent = 'Start live tail';
  }
  live.addEventListener('click', () => {
    if (source) { stopTail(); return; }
    rows.replaceChildren();
    const one = partition.value === 'all' ? '' : `&partition=${enc(partition.value)}`;
    const what = partition.value === 'all' ? `every partition of ${name}` : `partition ${partition.value} of ${name}`;
    info.textContent = `live: new records of ${what} appear at the top (filters do not apply to the tail)`;
    source = new EventSource(`/api/topics/${enc(name)}/records/tail?from=latest${one}`);
    source.addEventListener('record', ev => {
      rows.prepend(row(JSON.parse(ev.data), true));
      while (rows.children.length > 500) rows.lastChild.remove();
    });
    source.onerror = () => { info.dataset.state = 'reconnecting'; info.textContent = 'live tail interrupted; reconnecting…'; };
    source.onopen = () => { info.dataset.state = 'open'; info.textContent = `live: new records of ${what} appear at the top (filters do not apply to the tail)`; };
    live.textContent = 'Stop live tail';
  });
  page.cleanup.push(stopTail);
  form.addEventListener('submit', e => { e.preventDefault(); stopTail(); search(formParams()); });
  next.addEventListener('click', () => {
    stopTail();
    if (!nextCursor) return;
    const q = formParams();
    q.delete('offset'); q.delete('timestamp');
    q.set('cursor', nextCursor);
    search(q);
  });

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
    partition.replaceChildren(h('option', { value: 'all' }, 'all (by timestamp)'),
      ...t.partitions.map(p => h('option', { value: p.partition }, `${p.partition} (${fmtInt(p.logEndOffset - p.logStartOffset)} records)`)));
    fill(query);
    const q = new URLSearchParams();
    for (const k of MESSAGE_PARAMS) if (query.has(k)) q.set(k, query.get(k));
    if (!q.has('partition')) q.set('partition', 'all');
    if (!q.has('limit')) q.set('limit', limit.value);
    search(q);
  })();
}

/** A key or value cell: null, base64 (binary), a collapsible JSON tree for objects and arrays, or text. */
function show(v, encoding) {
  if (v === null) return h('span', { class: 'muted' }, 'null');
  if (encoding === 'base64') return h('span', { title: 'base64 (binary)' }, `⟨b64⟩ ${v}`);
  const t = v.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try { return h('div', { class: 'json-tree' }, jsonTree(JSON.parse(v), 0)); } catch { /* not JSON: plain text */ }
  }
  return v;
}

/** Pretty-printed JSON: objects and arrays are <details> (click to fold), open to depth 3; label is the key in front of it. */
function jsonTree(value, depth, label) {
  if (value === null || typeof value !== 'object') {
    return h('span', {}, label, h('span', { class: `j-${value === null ? 'null' : typeof value}` }, JSON.stringify(value)));
  }
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  if (entries.length === 0) return h('span', {}, label, isArray ? '[]' : '{}');
  const n = entries.length;
  return h('details', { open: depth < 3 },
    h('summary', {}, label, h('span', { class: 'muted' }, isArray ? `[ ${n} item${n === 1 ? '' : 's'} ]` : `{ ${n} key${n === 1 ? '' : 's'} }`)),
    ...entries.map(([k, v]) => h('div', { class: 'j-entry' },
      jsonTree(v, depth + 1, isArray ? null : h('span', { class: 'j-key' }, `${JSON.stringify(k)}: `)))));
}
