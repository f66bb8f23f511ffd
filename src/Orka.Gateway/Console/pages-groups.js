// Orka console: the consumer group pages and the lag-over-time chart.
'use strict';

// ---------- consumer groups ----------

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
  const chart = h('div', { class: 'chart-holder', id: 'lag-chart' });
  const legend = h('div', { class: 'legend', id: 'lag-legend' });

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
    h('div', { class: 'panel' }, h('h2', {}, 'Lag over time'), chart, legend, h('p', { class: 'muted' }, 'Sampled by the gateway every few seconds, last 10 minutes; the newest point is the lag shown above and in the table.')),
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
    // Both reads first, then everything is drawn at once: the cards, the table and the chart never
    // show figures from different refreshes.
    let g, history;
    try {
      [g, history] = await Promise.all([api('GET', `/api/groups/${enc(groupId)}`), api('GET', `/api/groups/${enc(groupId)}/lag/history`)]);
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
    // The gateway samples every group's lag in the background, so the chart has history from before
    // the page was opened. Its newest point is this very answer (same read, same moment), so the
    // total above, the table and the chart never disagree.
    const lagAt = Date.parse(g.lagAt);
    const now = { t: lagAt, total: g.totalLag, parts: Object.fromEntries(g.offsets.filter(o => o.lag >= 0).map(o => [`${o.topic}/${o.partition}`, o.lag])) };
    drawLag(chart, legend, [...history.map(p => ({ t: Date.parse(p.at), total: p.totalLag, parts: p.partitions })).filter(p => p.t < lagAt), now]);
  });
}

/** Total lag (thick) and each partition's lag, against time; the legend names every partition with its lag now. */
function drawLag(holder, legend, points) {
  const keys = [...new Set(points.flatMap(p => Object.keys(p.parts)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const series = [
    { name: 'total lag now', points: points.map(p => [p.t, p.total]), colour: 'var(--chart-total)', thick: true },
    ...keys.map((key, i) => ({ name: key, points: points.filter(p => key in p.parts).map(p => [p.t, p.parts[key]]), colour: seriesColour(i) })),
  ];
  const chart = lineChart(holder, legend, series, v => Math.round(v).toLocaleString('en-US'));
  chart.dataset.lastTotal = points.length ? points[points.length - 1].total : '';
}
