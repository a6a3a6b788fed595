// One partner for operators: its overview and warnings, its notification contacts (never
// emptied: the API refuses an empty list, as Settings does), its users, and the intake key.

import { announce, h, icon } from './dom.js';
import { formatDateTime } from './format.js';
import { clearErrors, errorSummary, field, showErrors } from './forms.js';
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
  let currentEtag = etag;
  const rows = h('div', { class: 'contacts' });
  const renumber = () => [...rows.children].forEach((row, index) => {
    row.setAttribute('aria-label', `Contact ${index + 1}`);
    row.querySelector('.row-title').textContent = `Contact ${index + 1}`;
    row.querySelector('[data-part="name"]').dataset.field = `contacts.${index}.name`;
    row.querySelector('[data-part="email"]').dataset.field = `contacts.${index}.email`;
    row.querySelector('.remove').setAttribute('aria-label', `Remove contact ${index + 1}`);
  });
  const addRow = (contact = {}, focus = false) => {
    const name = field({ name: 'name', label: 'Name', value: contact.name || '', autocomplete: 'off' });
    const email = field({ name: 'email', label: 'Email', type: 'email', value: contact.email || '', autocomplete: 'off' });
    name.querySelector('input').dataset.part = 'name';
    email.querySelector('input').dataset.part = 'email';
    const row = h('div', { class: 'person', role: 'group' }, h('p', { class: 'row-title' }), name, email,
      h('button', { type: 'button', class: 'button-quiet remove', onClick: () => { row.remove(); renumber(); add.focus(); } }, 'Remove'));
    rows.append(row);
    renumber();
    if (focus) row.querySelector('input').focus();
  };
  const add = h('button', { type: 'button', class: 'button-secondary', onClick: () => addRow({}, true) }, 'Add contact');
  detail.contacts.forEach((contact) => addRow(contact));
  const saved = h('p', { class: 'save-status', role: 'status' });
  const form = h('form', { class: 'form', novalidate: true }, errorSummary(),
    h('p', { class: 'muted' }, 'New-lead emails go to these people (each under their own preferences). Keep at least one.'),
    rows, add,
    h('div', { class: 'actions-row' }, h('button', { type: 'submit', class: 'button-primary' }, 'Save contacts'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    saved.textContent = '';
    const list = [...rows.children].map((row) => ({
      name: row.querySelector('[data-part="name"]').value.trim(),
      email: row.querySelector('[data-part="email"]').value.trim(),
    })).filter((contact) => contact.name || contact.email);
    try {
      const result = await ops.saveContacts(partnerId, list, currentEtag);
      currentEtag = result.etag;
      redraw(result.body);
      saved.replaceChildren(icon('check'), 'Saved');
      announce('The contacts are saved.');
    } catch (error) {
      const message = error.status === 412
        ? 'Someone else changed the contacts since you opened this page. Reload it, then try again.'
        : error.detail || error.message;
      showErrors(form, error.status === 412 ? [] : error.errors || [], message);
    }
  });
  return form;
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
