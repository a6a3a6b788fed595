// The bell: the partner's in-app feed (new leads, leads about to expire, expired leads), newest
// first. The count shows entries newer than the last time this user opened the feed.

import { api } from './api.js';
import { session } from './auth.js';
import { announce, h, icon } from './dom.js';
import { formatDateTime, formatRelative } from './format.js';
import { href } from './router.js';

const PAGE_SIZE = 20;
const KINDS = { NewLead: 'New lead', LeadExpiring: 'About to expire', ExpiryReminder: 'About to expire', LeadExpired: 'Expired' };

const kindLabel = (kind) => KINDS[kind] || String(kind || '').replace(/([a-z])([A-Z])/g, '$1 $2');

export function mountBell(container) {
  const user = session();
  const seenKey = `partner-leads.feed-seen.${user?.partnerId}.${user?.userId}`;
  const count = h('span', { class: 'bell-count', hidden: true });
  const button = h('button', { type: 'button', class: 'bell-button', 'aria-expanded': 'false', 'aria-controls': 'feed-panel' },
    icon('bell'), h('span', { class: 'visually-hidden' }, 'Notifications'), count);
  const list = h('ol', { class: 'feed' });
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const more = h('div', {});
  const heading = h('h2', { id: 'feed-heading', tabindex: '-1' }, 'Notifications');
  const panel = h('section', { id: 'feed-panel', class: 'feed-panel card', hidden: true, 'aria-labelledby': 'feed-heading' },
    heading, status, list, more);
  container.replaceChildren(button, panel);

  let newest = null;
  const setCount = (items) => {
    const seen = window.localStorage.getItem(seenKey) || '';
    const fresh = items.filter((item) => item.createdAt > seen).length;
    count.hidden = fresh === 0;
    count.replaceChildren(String(fresh >= PAGE_SIZE ? `${PAGE_SIZE}+` : fresh), h('span', { class: 'visually-hidden' }, ' new'));
  };
  const load = async (token = null) => {
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
    if (token) query.set('continuationToken', token);
    const page = await api.notifications(query);
    if (!token) {
      newest = page.items[0]?.createdAt || newest;
      setCount(page.items);
      list.replaceChildren();
    }
    list.append(...page.items.map(feedItem));
    status.textContent = list.children.length ? '' : 'Nothing yet: new leads will show here.';
    more.replaceChildren(page.continuationToken
      ? h('button', { type: 'button', class: 'button-quiet', onClick: () => load(page.continuationToken).catch(showError) }, 'Show older')
      : '');
    return page.items.length;
  };
  const showError = (error) => { status.textContent = `The notifications could not be loaded: ${error.detail || error.message}`; };

  const close = (returnFocus = true) => {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (returnFocus) button.focus();
  };
  const open = async () => {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    heading.focus();
    try {
      await load();
      if (newest) window.localStorage.setItem(seenKey, newest);
      count.hidden = true;
      announce(`${list.children.length} notifications`);
    } catch (error) {
      showError(error);
    }
  };
  button.addEventListener('click', () => (panel.hidden ? open() : close()));
  panel.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });
  panel.addEventListener('click', (event) => { if (event.target.closest('a')) close(false); });
  document.addEventListener('click', (event) => {
    if (!panel.hidden && !container.contains(event.target)) close(false);
  });
  load().catch(() => {});
}

function feedItem(item) {
  const title = item.leadId
    ? h('a', { href: href(`leads/${encodeURIComponent(item.leadId)}`), 'data-route': '' }, item.title)
    : h('span', {}, item.title);
  const kind = kindLabel(item.kind);
  const repeated = String(item.title || '').toLowerCase().startsWith(kind.toLowerCase());
  return h('li', { class: `feed-item feed-${String(item.kind).toLowerCase()}` },
    repeated ? null : h('span', { class: 'feed-kind' }, kind),
    title,
    h('time', { datetime: item.createdAt, title: formatDateTime(item.createdAt) }, formatRelative(item.createdAt)));
}
