// Poison queues (count, peek, put back or delete one or all) and failed notifications (resend),
// for operators. A message's body may hold personal data: it is shown, never logged.

import { announce, h } from './dom.js';
import { formatDateTime } from './format.js';
import { ops } from './operator-api.js';
import { actionButton, fact, failure } from './operator-kit.js';

export async function renderQueues(body, route, ctx) {
  const { items } = await ops.queues();
  if (!ctx.isCurrent()) return;
  const detail = h('div', { class: 'ops-poison' });
  const open = async (queue) => {
    detail.replaceChildren(h('p', { role: 'status' }, 'Loading…'));
    try {
      detail.replaceChildren(...await poisonPanel(queue, () => renderQueues(body, route, ctx)));
    } catch (error) {
      detail.replaceChildren(failure(error));
    }
  };
  body.replaceChildren(
    h('p', { class: 'muted' }, 'A message lands in a poison queue when it cannot be handled: it failed the host’s 5 quick tries (a malformed message, a bug), or storage or SendGrid kept failing until its retries gave up (24 hours by default, QUEUE_RETRY_GIVE_UP_HOURS). Fix the cause, then put it back to be processed again (the handlers are idempotent), or delete it.'),
    h('ul', { class: 'ops-list', 'aria-label': 'Queues' }, items.map((q) => h('li', { class: `card ops-card${q.poison ? ' needs-attention' : ''}`, 'data-queue': q.name },
      h('h2', { class: 'ops-card-title' }, q.name, h('span', { class: 'sub' }, q.queue)),
      h('dl', { class: 'ops-facts' }, fact('Waiting', String(q.messages)), fact('In poison', String(q.poison))),
      h('button', { type: 'button', class: 'button-secondary', onClick: () => open(q.name) }, `Look into ${q.name} poison`)))),
    detail);
}

async function poisonPanel(queue, refresh) {
  const peek = await ops.poison(queue);
  const status = h('p', { role: 'status', class: 'ops-result' });
  const done = (result) => {
    announce(`${result.requeued} put back, ${result.deleted} deleted.`);
    window.setTimeout(refresh, 600);
    return `${result.requeued} put back, ${result.deleted} deleted, ${result.remaining} left.`;
  };
  const heading = h('h2', {}, `${peek.queue}: ${peek.count} message${peek.count === 1 ? '' : 's'}`);
  if (!peek.items.length) return [h('section', { class: 'card' }, heading, h('p', {}, 'Empty.'))];
  return [h('section', { class: 'card', 'aria-label': `${queue} poison messages` }, heading,
    h('div', { class: 'action-buttons' },
      actionButton('Put all back', { status, confirm: `Put every ${queue} poison message back on its queue?`, run: async () => done(await ops.requeue(queue)) }),
      actionButton('Delete all', { status, className: 'button-danger', confirm: `Delete every ${queue} poison message for good?`, run: async () => done(await ops.deletePoison(queue)) })),
    status,
    h('ul', { class: 'ops-messages' }, peek.items.map((m) => h('li', { class: 'ops-message', 'data-message': m.messageId },
      h('p', { class: 'small muted' }, `${m.messageId} · in poison since ${formatDateTime(m.insertedOn)}`),
      h('pre', { class: 'ops-body-text' }, m.body),
      h('div', { class: 'action-buttons' },
        actionButton('Put back', { status, run: async () => done(await ops.requeue(queue, m.messageId)) }),
        actionButton('Delete', { status, className: 'button-quiet', confirm: 'Delete this message for good?', run: async () => done(await ops.deletePoison(queue, m.messageId)) }))))))];
}

export async function renderFailed(body, route, ctx) {
  const list = h('ul', { class: 'ops-list', 'aria-label': 'Failed notifications' });
  const more = h('div', { class: 'load-more' });
  body.replaceChildren(h('p', { class: 'muted' }, 'Emails SendGrid refused (a wrong address, say) or that kept failing for 24 hours. Fix the cause (the partner’s contacts), then send again.'), list, more);
  const load = async (token) => {
    const page = await ops.failed(token ? new URLSearchParams({ continuationToken: token }) : null);
    if (!ctx.isCurrent()) return;
    if (!token && !page.items.length) list.replaceChildren(h('li', {}, 'No failed notifications.'));
    list.append(...page.items.map(failedCard));
    more.replaceChildren(page.continuationToken
      ? h('button', { type: 'button', class: 'button-secondary', onClick: () => load(page.continuationToken) }, 'Show more')
      : '');
  };
  await load(null);
}

function failedCard(n) {
  const status = h('p', { role: 'status', class: 'ops-result' });
  return h('li', { class: 'card ops-card needs-attention', 'data-notification': n.notificationId },
    h('h2', { class: 'ops-card-title' }, n.kind || 'Notification', h('span', { class: 'sub' }, `${n.partnerId} · ${n.notificationId}`)),
    h('p', {}, n.reason),
    h('dl', { class: 'ops-facts' }, fact('Failed', formatDateTime(n.failedAt)), fact('Lead', n.leadId || '—'),
      fact('Why', n.retryable ? 'Kept failing for 24 hours' : 'Refused by SendGrid')),
    actionButton('Send again', { status, run: async () => (await ops.resend(n.partnerId, n.notificationId)).detail }),
    status);
}
