// Operations (Leads.Operator only): partners at a glance, a partner's contacts and key, poison
// queues, failed notifications, deliveries and the jobs. What needs attention is the API's
// answer (`warnings`), never worked out here.

import { h, showCurrentTab } from './dom.js';
import { formatDateTime } from './format.js';
import { renderDeliveries, renderJobs } from './operator-jobs.js';
import { ops } from './operator-api.js';
import { fact, failure } from './operator-kit.js';
import { renderPartner } from './operator-partner.js';
import { renderFailed, renderQueues } from './operator-queues.js';
import { href } from './router.js';

export const OPERATOR_ROLE = 'Leads.Operator';
export const isOperator = (user) => Boolean(user?.roles?.includes(OPERATOR_ROLE));

const SECTIONS = [
  ['partners', 'Partners', renderPartners],
  ['queues', 'Poison queues', renderQueues],
  ['notifications', 'Failed notifications', renderFailed],
  ['deliveries', 'Deliveries', renderDeliveries],
  ['jobs', 'Jobs', renderJobs],
];

export async function renderOperator(main, route, ctx) {
  if (!isOperator(ctx.user)) {
    main.replaceChildren(h('div', { class: 'page' }, h('h1', {}, 'Operations'),
      h('p', {}, 'These pages are for operators (role Leads.Operator).'),
      h('p', {}, h('a', { href: href(), 'data-route': '' }, 'Back to your leads'))));
    return;
  }
  const [name, title, render] = SECTIONS.find(([key]) => key === route.section) || SECTIONS[0];
  const body = h('div', { class: 'ops-body' }, h('p', { role: 'status' }, 'Loading…'));
  const heading = route.id ? `Partner ${route.id}` : title;
  main.replaceChildren(h('div', { class: 'page ops' },
    h('h1', {}, heading),
    h('nav', { class: 'tabs', 'aria-label': 'Operations' }, SECTIONS.map(([key, text]) =>
      h('a', { href: href(`ops/${key}`), 'data-route': '', 'aria-current': key === name ? 'page' : null }, text))),
    body));
  showCurrentTab(main.querySelector('.tabs'));
  try {
    if (name === 'partners' && route.id) await renderPartner(body, route.id, ctx);
    else await render(body, route, ctx);
  } catch (error) {
    if (ctx.isCurrent()) body.replaceChildren(failure(error));
  }
}

async function renderPartners(body, route, ctx) {
  const list = h('ul', { class: 'ops-list', 'aria-label': 'Partners' });
  const more = h('div', { class: 'load-more' });
  const status = h('p', { class: 'muted', role: 'status' });
  body.replaceChildren(h('p', { class: 'muted' },
    'Every partner, with what needs attention first in each card. Open one to edit its contacts or rotate its intake key.'),
  status, list, more);
  let shown = 0;
  const load = async (token) => {
    const page = await ops.partners(token ? new URLSearchParams({ continuationToken: token }) : null);
    if (!ctx.isCurrent()) return;
    list.append(...page.items.map(partnerCard));
    shown += page.items.length;
    const attention = list.querySelectorAll('.ops-warning').length;
    status.textContent = `${shown} partner${shown === 1 ? '' : 's'} shown, ${attention} warning${attention === 1 ? '' : 's'}.`;
    more.replaceChildren(page.continuationToken
      ? h('button', { type: 'button', class: 'button-secondary', onClick: () => load(page.continuationToken) }, 'Show more partners')
      : '');
  };
  await load(null);
}

function partnerCard(p) {
  return h('li', { class: `card ops-card${p.warnings.length ? ' needs-attention' : ''}`, 'data-partner': p.partnerId },
    h('h2', { class: 'ops-card-title' },
      h('a', { href: href(`ops/partners/${encodeURIComponent(p.partnerId)}`), 'data-route': '' }, p.name),
      h('span', { class: 'sub' }, p.partnerId)),
    p.warnings.map((text) => h('p', { class: 'ops-warning', role: 'note' }, text)),
    h('dl', { class: 'ops-facts' },
      fact('Contacts', String(p.contacts)),
      fact('Reached by new-lead emails', String(p.recipients)),
      fact('Users', String(p.users)),
      fact('Last lead', formatDateTime(p.lastLeadAt)),
      fact('Intake key age', `${p.intakeKeyAgeDays} day${p.intakeKeyAgeDays === 1 ? '' : 's'}`),
      fact('Routing', p.routingOn ? 'On' : 'Off'),
      fact('Webhooks failing', String(p.webhooksFailing)),
      fact('Failed notifications', String(p.failedNotifications))));
}
