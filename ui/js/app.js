// The partner workspace: boot, the page frame (header, navigation) and page dispatch.

import { authConfig, initAuth, loadConfig, session, signOut } from './auth.js';
import { announce, focusFirst, h, icon } from './dom.js';
import { renderInsights } from './insights.js';
import { renderLeadPage } from './lead-page.js';
import { isOperator, renderOperator } from './operator.js';
import { mountBell } from './notifications.js';
import { currentRoute, href, startRouter } from './router.js';
import { renderSettings } from './settings.js';
import { renderSignIn } from './sign-in.js';
import { renderWorkspace } from './workspace.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
let generation = 0;
let headerFor = undefined; // the user the header was drawn for

const PAGES = {
  workspace: { title: 'Leads', render: renderWorkspace },
  lead: { title: 'Lead', render: renderLeadPage },
  insights: { title: 'Insights', render: renderInsights },
  settings: { title: 'Settings', render: renderSettings },
  ops: { title: 'Operations', render: renderOperator },
};
const SECTIONS = { workspace: 'leads', lead: 'leads', insights: 'insights', settings: 'settings', ops: 'ops' };

/** Drawn again only when the user changes; the current page is marked on every navigation. */
function renderHeader(route) {
  const user = session();
  const key = user ? `${user.partnerId}/${user.userId}/${user.roles.join(',')}` : null;
  if (key !== headerFor) {
    headerFor = key;
    const brand = h('a', { class: 'brand', href: href(), 'data-route': '' },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'L'), 'Partner leads');
    if (!user) {
      topbar.replaceChildren(brand);
    } else {
      // An operator without a partner sees Operations only; the link shows for the role alone.
      const partnerLinks = user.partnerId ? [navLink('Leads', href(), 'leads'),
        navLink('Insights', href('insights'), 'insights'), navLink('Settings', href('settings'), 'settings')] : [];
      topbar.replaceChildren(brand,
        h('nav', { class: 'main-nav', 'aria-label': 'Main' }, partnerLinks,
          isOperator(user) ? navLink('Operations', href('ops'), 'ops') : null),
        h('div', { class: 'topbar-tools' },
          user.partnerId ? h('div', { class: 'bell', id: 'bell' }) : null,
          h('p', { class: 'user' }, icon('user'),
            h('span', {}, user.name, h('span', { class: 'user-partner' }, ` · ${user.partnerId || 'no partner'}`))),
          h('button', { type: 'button', class: 'button-quiet sign-out', onClick: () => signOut() }, 'Sign out')));
      if (user.partnerId) mountBell(document.getElementById('bell'));
    }
  }
  for (const link of topbar.querySelectorAll('.main-nav a')) {
    if (link.dataset.section === SECTIONS[route.name]) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function navLink(text, url, section) {
  return h('a', { href: url, 'data-route': '', dataset: { section } }, text);
}

async function render({ navigated = false, message = null, focus = null } = {}) {
  const mine = ++generation;
  const route = currentRoute();
  renderHeader(route);
  const user = session();
  const operatorOnly = user && !user.partnerId && isOperator(user) && route.name === 'workspace';
  const page = PAGES[operatorOnly ? 'ops' : route.name];
  if (operatorOnly) Object.assign(route, { section: 'partners', id: null });
  if (!user) {
    document.title = 'Sign in · Partner leads';
    renderSignIn(main, authConfig(), message);
    if (navigated || message) focusFirst(main);
    return;
  }
  if (!page) {
    document.title = 'Not found · Partner leads';
    main.replaceChildren(h('div', { class: 'page' }, h('h1', {}, 'Page not found'),
      h('p', {}, h('a', { href: href(), 'data-route': '' }, 'Back to your leads'))));
    if (navigated) focusFirst(main);
    return;
  }
  document.title = `${page.title} · Partner leads`;
  const focusBefore = document.activeElement;
  await page.render(main, route, { isCurrent: () => mine === generation, user });
  if (mine !== generation) return;
  const heading = main.querySelector('h1');
  if (heading) document.title = `${heading.textContent} · Partner leads`;
  // Never take focus from where the user moved it while the page was loading (e.g. the bell).
  const moved = document.activeElement !== focusBefore && topbar.contains(document.activeElement);
  const target = focus && main.querySelector(focus);
  if (moved) return;
  if (target) target.focus();
  else if (navigated) {
    focusFirst(main, 'h1');
    announce(document.title);
  }
}

async function boot() {
  try {
    await loadConfig();
    await initAuth();
  } catch (error) {
    main.replaceChildren(h('div', { class: 'page' }, h('h1', {}, 'The workspace could not start'),
      h('p', {}, 'Reload the page in a moment. If it keeps failing, tell your administrator.'),
      h('p', { class: 'muted' }, String(error.message || error))));
    return;
  }
  startRouter(render);
  window.addEventListener('auth:changed', (event) => render({ navigated: true, message: event.detail?.message }));
  await render();
}

boot();
