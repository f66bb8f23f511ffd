// Orka console: a small single-page app over the gateway's REST API (/api). No dependencies, no
// build step. Pages are chosen by the URL hash; each page draws its forms once and refreshes its
// data every REFRESH_MS (or live through Server-Sent Events for the message tail). Loaded last:
// ui.js has the helpers, pages-topics.js and pages-groups.js the pages.
'use strict';

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
  // The part after '?' is the page's state (the message browser keeps its view there).
  const [hash, query] = (location.hash || '#/').split(/\?(.*)/s);
  for (const a of document.querySelectorAll('header nav a[data-nav]')) {
    const nav = a.dataset.nav;
    a.classList.toggle('active', nav === 'cluster' ? hash === '#/' : hash.startsWith(`#/${nav}`));
  }
  for (const [re, render] of routes) {
    const m = hash.match(re);
    if (m) {
      render(...m.slice(1).map(decodeURIComponent), new URLSearchParams(query || ''));
      return;
    }
  }
  mount(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the cluster')));
}

window.addEventListener('hashchange', route);

route();
