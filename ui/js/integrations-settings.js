// Settings → Integrations: webhook endpoints that receive the partner's lead events (signed,
// retried, replayable), Teams or Slack channels. The signing secret is shown once, when an
// endpoint is added or its secret rotated. Who may manage them is the API's answer (403).

import { request } from './api.js';
import { announce, h, icon } from './dom.js';
import { clearErrors, errorSummary, field, showErrors } from './forms.js';
import { formatDateTime } from './format.js';

const HOOKS = 'integrations/webhooks';
const EVENTS = [
  ['received', 'New lead'], ['stageAdded', 'Lead came back'], ['assigned', 'Assigned'],
  ['accepted', 'Accepted'], ['updated', 'Updated'], ['teamChanged', 'Team changed'],
  ['declined', 'Declined'], ['won', 'Won'], ['lost', 'Lost'], ['expired', 'Expired'],
  ['agedOut', 'Aged out'], ['reminderDue', 'About to expire'],
];
const PREFIX = 'com.partnerleads.lead.';
const FORMATS = [['standard', 'Signed JSON (CloudEvents)'], ['teams', 'Microsoft Teams'], ['slack', 'Slack']];
const eventName = (type) => EVENTS.find(([kind]) => PREFIX + kind === type)?.[1] || type.replace(PREFIX, '');
const formatName = (format) => FORMATS.find(([value]) => value === format)?.[1] || format;
const call = async (method, path, body) => {
  const response = await request(method, path, body === undefined ? {} : { body });
  return response.status === 204 ? null : response.json();
};

export function integrationsSection() {
  const section = h('section', { class: 'card', id: 'integrations', 'aria-labelledby': 'integrations-heading', 'data-testid': 'integrations' },
    h('h2', { id: 'integrations-heading' }, 'Integrations'), h('p', { role: 'status' }, 'Loading…'));
  refresh(section);
  return section;
}

async function refresh(section, secretNote = null) {
  const heading = section.querySelector('h2');
  let list;
  try {
    list = await call('GET', HOOKS);
  } catch (error) {
    const text = error.status === 403
      ? 'Only a Referrals admin or a business profile admin can connect your CRM, Teams or Slack.'
      : `Could not load: ${error.detail || error.message}`;
    section.replaceChildren(heading, h('p', { class: error.status === 403 ? 'muted' : 'error-text' }, text));
    return;
  }
  section.replaceChildren(heading,
    h('p', { class: 'muted' }, 'Send every change of a lead to your CRM (signed Standard Webhooks carrying CloudEvents, retried for three days), or to a Teams or Slack channel.'),
    // The DOM's replaceChildren writes a null as the text "null": leave the note out instead.
    ...(secretNote ? [secretNote] : []),
    list.items.length ? h('ul', { class: 'webhooks', 'aria-label': 'Endpoints' }, list.items.map((item) => endpoint(section, item))) : h('p', {}, 'No endpoints yet.'),
    addForm(section));
}

function secretBox(secret) {
  const copied = h('span', { class: 'save-status', role: 'status' });
  return h('div', { class: 'notice', 'data-testid': 'secret' },
    h('p', {}, h('strong', {}, 'Signing secret: copy it now, it is not shown again.')),
    h('code', { class: 'secret' }, secret), ' ',
    h('button', {
      type: 'button', class: 'button-secondary',
      onClick: async () => {
        try { await navigator.clipboard.writeText(secret); copied.replaceChildren(icon('check'), 'Copied'); } catch { copied.textContent = 'Select the secret and copy it.'; }
      },
    }, 'Copy secret'), ' ', copied);
}

function endpoint(section, item) {
  const log = h('div', { class: 'deliveries' });
  const problem = h('p', { class: 'error-text', role: 'alert', hidden: true });
  const state = item.enabled ? 'Enabled' : `Disabled${item.disabledReason ? `: ${item.disabledReason}` : ''}`;
  // Every button says when the API refused (the endpoint deleted meanwhile, a lost right):
  // an unanswered click would look like it worked.
  const guarded = (run, question = null) => async (event) => {
    if (question && !window.confirm(question)) return;
    const button = event?.currentTarget;
    problem.hidden = true;
    if (button) button.disabled = true;
    try {
      await run();
    } catch (error) {
      problem.textContent = `That did not work: ${error.detail || error.message}`;
      problem.hidden = false;
    } finally {
      if (button) button.disabled = false;
    }
  };
  const act = (label, run, question) => h('button', { type: 'button', class: 'button-quiet', onClick: guarded(run, question) }, label);
  const name = item.description || item.url;
  return h('li', { class: 'webhook', 'data-testid': 'webhook' },
    h('p', {}, h('strong', {}, name), h('span', { class: 'sub' }, `${item.url} · ${formatName(item.format)} · ${state}`)),
    h('p', { class: 'small muted' }, item.eventTypes.length ? item.eventTypes.map(eventName).join(', ') : 'All lead events'),
    h('div', { class: 'action-buttons' },
      act('Send a ping', async () => { await call('POST', `${HOOKS}/${item.id}/ping`); announce('Ping queued.'); await showLog(item, log, guarded); }),
      act('Show deliveries', () => showLog(item, log, guarded)),
      act('Rotate secret', async () => { const rotated = await call('POST', `${HOOKS}/${item.id}/rotate-secret`); await refresh(section, secretBox(rotated.secret)); },
        `Rotate the signing secret of ${name}? Its receiver must switch to the new one.`),
      act(item.enabled ? 'Disable' : 'Enable', async () => { await call('PATCH', `${HOOKS}/${item.id}`, { enabled: !item.enabled }); await refresh(section); }),
      act('Delete', async () => { await call('DELETE', `${HOOKS}/${item.id}`); announce('Endpoint deleted.'); await refresh(section); },
        `Delete the endpoint ${name}? It gets no more events.`)),
    problem,
    log);
}

async function showLog(item, log, guarded) {
  const page = await call('GET', `${HOOKS}/${item.id}/deliveries?pageSize=20`);
  const replay = (body) => guarded(async () => { const report = await call('POST', `${HOOKS}/${item.id}/deliveries/replay`, body); announce(`${report.queued} queued again.`); await showLog(item, log, guarded); });
  // data-label: on a phone the table becomes one line per delivery, labelled.
  const rows = page.items.map((d) => h('tr', { 'data-status': d.status },
    h('td', { 'data-label': 'Event' }, d.eventType.replace(PREFIX, '').replace('com.partnerleads.webhook.', '')),
    h('td', { 'data-label': 'Status' }, d.status), h('td', { 'data-label': 'Attempts' }, `${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'}`),
    h('td', { 'data-label': 'Last answer' }, d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError || '—')),
    h('td', { 'data-label': 'Next try' }, d.nextTryAt && d.status === 'Pending' ? `next try ${formatDateTime(d.nextTryAt)}` : '—'),
    h('td', {}, d.status === 'Failed' ? h('button', { type: 'button', class: 'button-quiet', onClick: replay({ deliveryId: d.id }) }, 'Replay') : null)));
  const since = new Date(Date.now() - 3 * 86400e3).toISOString();
  log.replaceChildren(
    page.items.length ? h('table', { class: 'lead-table' },
      h('caption', { class: 'visually-hidden' }, 'Recent deliveries'),
      h('thead', {}, h('tr', {}, ['Event', 'Status', 'Attempts', 'Last answer', 'Next try', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)) : h('p', { class: 'muted' }, 'No deliveries yet.'),
    h('div', { class: 'actions-row' }, h('button', { type: 'button', class: 'button-quiet', onClick: replay({ since }) }, 'Replay all failed (3 days)')));
}

function addForm(section) {
  const boxes = EVENTS.map(([kind, label]) => h('label', { class: 'choice' },
    h('input', { type: 'checkbox', name: 'eventTypes', value: PREFIX + kind }), h('span', {}, label)));
  const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'add-endpoint' },
    h('h3', { id: 'add-endpoint' }, 'Add an endpoint'),
    errorSummary(),
    field({ name: 'url', label: 'URL', type: 'url', required: true, hint: 'https://… (your CRM, a Teams Workflows or a Slack incoming webhook)' }),
    field({ name: 'format', label: 'Format', options: FORMATS }),
    field({ name: 'description', label: 'Description', maxlength: 200 }),
    h('fieldset', { class: 'choices', 'data-field': 'eventTypes' }, h('legend', {}, 'Events (none ticked: all)'), h('div', { class: 'event-choices' }, boxes)),
    h('div', { class: 'actions-row' }, h('button', { type: 'submit', class: 'button-primary' }, 'Add endpoint')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = {
      url: form.elements.url.value.trim(), format: form.elements.format.value,
      description: form.elements.description.value.trim() || null,
      eventTypes: [...form.querySelectorAll('input[name="eventTypes"]:checked')].map((box) => box.value),
    };
    try {
      const created = await call('POST', HOOKS, body);
      announce('Endpoint added. Copy its signing secret now.');
      await refresh(section, secretBox(created.secret));
    } catch (error) {
      showErrors(form, error.errors || [], error.detail || error.message);
    }
  });
  return form;
}
