// Orka console: line charts as inline SVG (no library, no CDN). Colours are CSS variables
// (--chart-*, --s0…--s7), so the charts follow the light or dark scheme with the rest of the page.
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';
const SERIES_COLOURS = 8;

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** The colour of series number i (cycles through the palette). */
const seriesColour = i => `var(--s${i % SERIES_COLOURS})`;

/**
 * Draws series of [time ms, value] points into holder (an element the SVG replaces the content of)
 * and a legend with one entry per series and its newest value. series: [{ name, points, colour, thick }].
 */
function lineChart(holder, legend, series, fmt) {
  const w = Math.max(320, holder.clientWidth || 900);
  const hgt = 220;
  const pad = { l: 72, r: 16, t: 12, b: 28 };
  const plotW = w - pad.l - pad.r;
  const plotH = hgt - pad.t - pad.b;
  const all = series.flatMap(s => s.points);
  const niceMax = 4 * niceStep(Math.max(0, ...all.map(p => p[1])) / 4);
  // At least a minute wide, ending at the newest point, so a young history grows from the right.
  const t1 = all.length ? Math.max(...all.map(p => p[0])) : Date.now();
  const t0 = Math.min(t1 - 60000, ...all.map(p => p[0]));
  const x = t => pad.l + ((t - t0) / (t1 - t0)) * plotW;
  const y = v => pad.t + plotH - (Math.max(0, v) / niceMax) * plotH;

  const chart = svg('svg', { class: 'chart', width: '100%', height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: 'img' });
  for (let i = 0; i <= 4; i++) {
    const v = (niceMax * i) / 4;
    chart.append(svg('line', { class: 'grid', x1: pad.l, x2: w - pad.r, y1: y(v), y2: y(v) }));
    chart.append(svg('text', { class: 'axis', x: pad.l - 8, y: y(v), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, fmt(v)));
  }
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    chart.append(svg('text', { class: 'axis', x: x(t), y: hgt - 8, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, new Date(t).toLocaleTimeString()));
  }
  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    const peak = Math.max(...s.points.map(p => p[1]));
    chart.append(svg('path', { class: `series${s.thick ? ' thick' : ''}`, d, style: `stroke:${s.colour}`, 'data-series': s.name, 'data-max': peak }));
    if (s.points.length === 1) chart.append(svg('circle', { cx: x(s.points[0][0]), cy: y(s.points[0][1]), r: 3, style: `fill:${s.colour}` }));
  }
  holder.replaceChildren(chart);
  legend.replaceChildren(...series.map(s => {
    const last = s.points.length ? s.points[s.points.length - 1][1] : null;
    return h('span', { class: 'legend-item', 'data-series': s.name },
      h('span', { class: `swatch${s.thick ? ' thick' : ''}`, style: `background:${s.colour}` }),
      `${s.name} `, h('b', {}, last === null ? '—' : fmt(last)));
  }));
  return chart;
}

/** The smallest 1, 2 or 5 × 10^n at or above raw (a grid step that gives round tick labels). */
function niceStep(raw) {
  if (!(raw > 0)) return 0.25;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map(m => m * magnitude).find(step => step >= raw);
}

const fmtPerSecond = v => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2));
function fmtBytesPerSecond(v) {
  const units = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}
