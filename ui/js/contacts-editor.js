// The editor of a business profile's notification contacts, shared by Settings (a partner's
// own) and the operator's partner page: numbered rows, add and remove, one save with If-Match.
// The API refuses an empty list and says so; a 412 means someone else saved first.

import { announce, h, icon } from './dom.js';
import { clearErrors, errorSummary, field, showErrors } from './forms.js';

/**
 * @param {{contacts: Array<{name: string, email: string}>, etag: string, intro: string,
 *          save: (list: Array<{name: string, email: string}>, etag: string) => Promise<{body: any, etag: string}>,
 *          onSaved?: (body: any) => void}} options
 */
export function contactsEditor({ contacts, etag, intro, save, onSaved = () => {} }) {
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
      h('button', {
        type: 'button', class: 'button-quiet remove',
        onClick: () => { row.remove(); renumber(); add.focus(); },
      }, 'Remove'));
    rows.append(row);
    renumber();
    if (focus) row.querySelector('input').focus();
  };
  const add = h('button', { type: 'button', class: 'button-secondary', onClick: () => addRow({}, true) }, 'Add contact');
  contacts.forEach((contact) => addRow(contact));
  const saved = h('p', { class: 'save-status', role: 'status' });
  const form = h('form', { class: 'form', novalidate: true },
    errorSummary(),
    h('p', { class: 'muted' }, intro),
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
      const result = await save(list, currentEtag);
      currentEtag = result.etag;
      onSaved(result.body);
      saved.replaceChildren(icon('check'), 'Saved');
      announce('The contacts are saved.');
    } catch (error) {
      const message = error.status === 412
        ? 'Someone else changed the contacts since you opened this page. Reload the page to see them, then try again.'
        : error.detail || error.message;
      showErrors(form, error.status === 412 ? [] : error.errors || [], message);
    }
  });
  return form;
}
