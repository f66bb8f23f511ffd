// Orka console: shared helpers (element builder, API calls, formatting, page lifecycle). Loaded first.
'use strict';

const REFRESH_MS = 2000;

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

function card(label, value, id) {
  return h('div', { class: 'card', id }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}
