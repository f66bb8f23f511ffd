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
    // The gateway samples every group's lag in the background, so the chart has history from before the page was opened.
    const history = await api('GET', `/api/groups/${enc(groupId)}/lag/history`);
    drawLag(canvas, legend, history.map(p => ({ t: Date.parse(p.at), total: p.totalLag, parts: p.partitions })));
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
  legend.textContent = `total lag now ${points[points.length - 1].total.toLocaleString('en-US')} (thick line); thin lines: ${series.slice(0, PALETTE.length).join(', ')}; sampled by the gateway, last 10 minutes`;
}

function line(ctx, xy) {
  if (xy.length === 0) return;
  ctx.beginPath();
  ctx.moveTo(xy[0][0], xy[0][1]);
  for (const [px, py] of xy.slice(1)) ctx.lineTo(px, py);
  if (xy.length === 1) ctx.arc(xy[0][0], xy[0][1], 2, 0, 2 * Math.PI);
  ctx.stroke();
}
