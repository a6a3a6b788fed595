// Pages live under the UI's base path (`/api/ui/leads/<id>`, `/api/ui/insights`...), and list
// filters in the query string, so any view can be bookmarked, shared and reloaded.

import { UI_BASE } from './dom.js';

export function currentRoute() {
  const path = window.location.pathname;
  const rest = path.startsWith(UI_BASE) ? path.slice(UI_BASE.length) : '';
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(window.location.search);
  // `leads` alone is the list too: emails link to it.
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'leads')) return { name: 'workspace', query };
  if (parts[0] === 'leads' && parts.length === 2) return { name: 'lead', id: parts[1], query };
  if (parts.length === 1 && ['insights', 'settings'].includes(parts[0])) return { name: parts[0], query };
  // Operations (Leads.Operator): `ops/<section>`, a partner as `ops/partners/<id>`.
  if (parts[0] === 'ops' && parts.length <= 3) return { name: 'ops', section: parts[1] || 'partners', id: parts[2] || null, query };
  return { name: 'not-found', query };
}

export function href(path = '', query = null) {
  const search = query && String(query) ? `?${query}` : '';
  return `${UI_BASE}${path}${search}`;
}

let onChange = () => {};
let listUrl = null;

/** `focus`: a selector to focus once the new page is drawn (else its heading). */
export function navigate(url, { replace = false, focus = null } = {}) {
  const target = new URL(url, window.location.href);
  if (replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  onChange({ navigated: true, focus });
}

/** The list the user came from, with its tab and filters, for the lead page's back link. */
export const rememberList = (url) => { listUrl = url; };
export const lastListUrl = () => listUrl;

/** Same-app links carry `data-route`: they change the page without a reload. */
export function startRouter(render) {
  onChange = render;
  window.addEventListener('popstate', () => render({ navigated: true }));
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-route]');
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
    event.preventDefault();
    navigate(link.href);
  });
}
