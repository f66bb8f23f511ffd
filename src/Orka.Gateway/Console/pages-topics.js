// Orka console: the cluster, topic list and topic pages.
'use strict';

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

// ---------- topics ----------

function topicsPage() {
  document.title = 'Topics · Orka';
  const rows = h('tbody', { id: 'topics' });
  const form = h('form', { class: 'inline', id: 'create-topic' },
    h('label', {}, 'Name', h('input', { name: 'name', required: true, placeholder: 'orders', pattern: '[a-zA-Z0-9._-]+' })),
    h('label', {}, 'Partitions', h('input', { name: 'partitions', type: 'number', min: 1, value: 3, style: 'width:90px' })),
    h('label', {}, 'Config (key=value per line)', h('textarea', { name: 'config', rows: 1, placeholder: 'retention.ms=604800000', style: 'width:280px' })),
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
  const groups = h('tbody', { id: 'topic-groups' });
  const recordsChart = h('div', { class: 'chart-holder', id: 'records-chart' });
  const recordsLegend = h('div', { class: 'legend', id: 'records-legend' });
  const bytesChart = h('div', { class: 'chart-holder', id: 'bytes-chart' });
  const bytesLegend = h('div', { class: 'legend', id: 'bytes-legend' });
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
    h('div', { class: 'grid' },
      h('div', { class: 'panel' }, h('h2', {}, 'Records/s'), recordsChart, recordsLegend),
      h('div', { class: 'panel' }, h('h2', {}, 'Bytes/s'), bytesChart, bytesLegend)),
    h('p', { class: 'muted' }, 'In: records appended (log end growth) and stored bytes added. Out: records committed by consumer groups, and those records times the average stored record size (an estimate). Sampled by the gateway, last 10 minutes.'),
    h('div', { class: 'panel' },
      h('h2', {}, 'Consumer groups reading this topic'),
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Group'), h('th', {}, 'State'), h('th', { class: 'num' }, 'Lag on this topic'), h('th', {}, 'Lag per partition'))),
        groups)),
    h('div', { class: 'panel' }, h('h2', {}, 'Produce a test record'), produce),
    h('div', { class: 'grid' },
      h('div', { class: 'panel' }, h('h2', {}, 'Config'),
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'), h('th', {}, 'Default'), h('th', {}, 'Source'))), config), h('p'), alter),
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
    config.replaceChildren(...t.configs.map(c => h('tr', { 'data-key': c.name, 'data-source': c.source, class: c.source === 'DefaultConfig' ? 'default' : 'set' },
      h('td', { class: 'mono', title: c.documentation }, c.name), h('td', { class: 'mono value' }, c.value),
      h('td', { class: 'mono muted' }, c.defaultValue ?? '—'), h('td', {}, c.source === 'DefaultConfig' ? 'default' : 'set on topic'))));
    const [flow, readers] = await Promise.all([
      api('GET', `/api/topics/${enc(name)}/throughput`),
      api('GET', `/api/topics/${enc(name)}/groups`),
    ]);
    const at = flow.map(p => Date.parse(p.at));
    lineChart(recordsChart, recordsLegend, [
      { name: 'in', points: flow.map((p, i) => [at[i], p.recordsInPerSecond]), colour: seriesColour(0) },
      { name: 'out', points: flow.map((p, i) => [at[i], p.recordsOutPerSecond]), colour: seriesColour(1) },
    ], fmtPerSecond);
    lineChart(bytesChart, bytesLegend, [
      { name: 'in', points: flow.map((p, i) => [at[i], p.bytesInPerSecond]), colour: seriesColour(0) },
      { name: 'out (est.)', points: flow.map((p, i) => [at[i], p.bytesOutPerSecond]), colour: seriesColour(1) },
    ], fmtBytesPerSecond);
    groups.replaceChildren(...(readers.length ? readers.map(g => h('tr', { 'data-group': g.groupId },
      h('td', {}, h('a', { href: `#/groups/${enc(g.groupId)}` }, g.groupId)), h('td', {}, pill(g.state)),
      h('td', { class: 'num lag' }, fmtInt(g.totalLag)),
      h('td', { class: 'mono' }, g.partitions.map(p => `${p.partition}: ${fmtInt(p.lag)}`).join('   '))))
      : [h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No consumer group has committed offsets here or is assigned a partition.'))]));
    if (knownPartitions !== t.partitions.length) {
      knownPartitions = t.partitions.length;
      const chosen = partitionSelect.value;
      partitionSelect.replaceChildren(h('option', { value: '' }, 'auto (by key)'), ...t.partitions.map(p => h('option', { value: p.partition }, p.partition)));
      partitionSelect.value = chosen;
    }
  });
}
