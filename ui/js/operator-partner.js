// One partner for operators: its overview and warnings, its notification contacts (never
// emptied: the API refuses an empty list, as Settings does), its users, and the intake key.

import { announce, h, icon } from './dom.js';
import { formatDateTime } from './format.js';
import { contactsEditor } from './contacts-editor.js';
import { ops } from './operator-api.js';
import { fact } from './operator-kit.js';

export async function renderPartner(body, partnerId, ctx) {
  const { body: detail, etag } = await ops.partner(partnerId);
  if (!ctx.isCurrent()) return;
  const overview = h('section', { class: 'card', 'aria-labelledby': 'ops-overview' });
  const draw = (current) => overview.replaceChildren(...overviewParts(current.overview));
  draw(detail);
  body.replaceChildren(overview,
    h('section', { class: 'card', 'aria-labelledby': 'ops-contacts' },
      h('h2', { id: 'ops-contacts' }, 'Contacts'), contactsForm(partnerId, detail, etag, draw)),
    h('section', { class: 'card', 'aria-labelledby': 'ops-users' },
      h('h2', { id: 'ops-users' }, 'Users'), usersList(detail.users)),
    h('section', { class: 'card', 'aria-labelledby': 'ops-key' },
      h('h2', { id: 'ops-key' }, 'Intake key'), keyPanel(partnerId)));
}

function overviewParts(p) {
  return [
    h('h2', { id: 'ops-overview' }, p.name),
    p.warnings.length ? p.warnings.map((text) => h('p', { class: 'ops-warning', role: 'note' }, text))
      : h('p', { class: 'notice-success' }, icon('check'), 'Nothing needs attention.'),
    h('dl', { class: 'ops-facts' },
      fact('Partner ID', p.partnerId),
      fact('Time zone', p.timeZone),
      fact('Reached by new-lead emails', String(p.recipients)),
      fact('Last lead', formatDateTime(p.lastLeadAt)),
      fact('Intake key rotated', formatDateTime(p.intakeKeyRotatedAt)),
      fact('Routing', p.routingOn ? 'On' : 'Off'),
      fact('Webhooks failing', String(p.webhooksFailing)),
      fact('Failed notifications', String(p.failedNotifications))),
  ];
}

function contactsForm(partnerId, detail, etag, redraw) {
  return contactsEditor({
    contacts: detail.contacts,
    etag,
    intro: 'New-lead emails go to these people (each under their own preferences). Keep at least one.',
    save: (list, currentEtag) => ops.saveContacts(partnerId, list, currentEtag),
    onSaved: redraw,
  });
}

function usersList(users) {
  if (!users.length) return h('p', { class: 'muted' }, 'No user has saved email preferences yet.');
  return h('ul', { class: 'people-view' }, users.map((u) => h('li', {},
    h('strong', {}, u.signInEmail || u.userId),
    h('span', { class: 'sub' }, u.emailEnabled ? `New-lead emails on${u.email ? `, sent to ${u.email}` : ''}` : 'New-lead emails off'))));
}

function keyPanel(partnerId) {
  const result = h('div', { role: 'status' });
  const rotate = h('button', {
    type: 'button', class: 'button-danger',
    onClick: async () => {
      if (!window.confirm(`Rotate the intake key of ${partnerId}? The current intake URL stops working at once.`)) return;
      rotate.disabled = true;
      try {
        const credentials = await ops.rotateKey(partnerId);
        const url = h('input', { type: 'text', readonly: true, value: credentials.intakeUrl, 'aria-label': 'New intake URL', class: 'ops-secret' });
        result.replaceChildren(h('p', { class: 'notice' }, 'The new intake URL, shown once: give it to the marketplace (Partner Center, lead destination HTTPS endpoint).'), url);
        url.select();
        announce('The intake key is rotated.');
      } catch (error) {
        result.replaceChildren(h('p', { class: 'error-text' }, error.detail || error.message));
      } finally {
        rotate.disabled = false;
      }
    },
  }, 'Rotate intake key');
  return [h('p', { class: 'muted' }, 'Only the key’s hash is stored: a lost key cannot be shown again, only replaced.'), rotate, result];
}
