// Form building blocks: labelled fields, repeatable people, and the API's validation errors
// (problem+json `errors[].field`, e.g. `teamMembers.0.email`) shown next to their fields.

import { h, uid } from './dom.js';

/** A labelled control. `data-field` is the API's name for it, so errors find their field. */
export function field({
  name, label, type = 'text', value = '', required = false, hint = null, options = null,
  multiline = false, autocomplete = null, inputmode = null, list = null, min = null, step = null,
  maxlength = null, placeholder = null,
}) {
  const id = uid('f');
  const describedBy = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ');
  const common = {
    id, name, 'data-field': name, 'data-error-id': `${id}-error`, 'aria-describedby': describedBy,
    'aria-required': required ? 'true' : null, autocomplete,
  };
  let control;
  if (options) {
    control = h('select', common, options.map(([optionValue, text]) =>
      h('option', { value: optionValue, selected: String(value ?? '') === optionValue }, text)));
  } else if (multiline) {
    control = h('textarea', { ...common, rows: 4, maxlength, value: value ?? '' });
  } else {
    control = h('input', { ...common, type, value: value ?? '', inputmode, list, min, step, maxlength, placeholder });
  }
  return h('div', { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'required' }, ' (required)') : null),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    control,
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
}

/** Team members or contacts: rows of name, email and phone, added and removed by keyboard too. */
export function personList({ name, legend, singular, people = [] }) {
  const list = h('div', { class: 'people' });
  const fieldset = h('fieldset', { class: 'people-list', 'data-people': name },
    h('legend', {}, legend), list);
  const renumber = () => {
    [...list.children].forEach((row, index) => {
      row.setAttribute('aria-label', `${singular} ${index + 1}`);
      row.querySelector('.row-title').textContent = `${singular} ${index + 1}`;
      row.querySelector('.remove').setAttribute('aria-label', `Remove ${singular.toLowerCase()} ${index + 1}`);
      for (const part of ['name', 'email', 'phone']) {
        row.querySelector(`[data-part="${part}"]`).dataset.field = `${name}.${index}.${part}`;
      }
    });
  };
  const addRow = (person = {}, focus = false) => {
    const row = h('div', { class: 'person', role: 'group' },
      h('p', { class: 'row-title' }),
      personField('name', 'Name', person.name, 'name'),
      personField('email', 'Email', person.email, 'email', 'email'),
      personField('phone', 'Phone', person.phone, 'tel', 'tel'),
      h('button', {
        type: 'button', class: 'button-quiet remove',
        onClick: () => {
          const next = row.nextElementSibling || row.previousElementSibling;
          row.remove();
          renumber();
          (next?.querySelector('input') || addButton).focus();
        },
      }, 'Remove'));
    list.append(row);
    renumber();
    if (focus) row.querySelector('input').focus();
  };
  const addButton = h('button', { type: 'button', class: 'button-secondary', onClick: () => addRow({}, true) },
    `Add ${singular.toLowerCase()}`);
  fieldset.append(addButton);
  people.forEach((person) => addRow(person));
  return fieldset;
}

function personField(part, text, value, autocomplete, type = 'text') {
  const wrapper = field({ name: part, label: text, value: value ?? '', type, autocomplete: `off` });
  const input = wrapper.querySelector('input');
  input.dataset.part = part;
  input.removeAttribute('name');
  if (autocomplete === 'tel') input.setAttribute('inputmode', 'tel');
  return wrapper;
}

/** The people of a list, skipping empty rows; empty email or phone is left out. */
export function readPeople(form, name) {
  const rows = form.querySelectorAll(`[data-people="${name}"] .person`);
  return [...rows].map((row) => {
    const value = (part) => row.querySelector(`[data-part="${part}"]`).value.trim();
    const person = { name: value('name') };
    if (value('email')) person.email = value('email');
    if (value('phone')) person.phone = value('phone');
    return person;
  }).filter((person) => person.name || person.email || person.phone);
}

export function errorSummary() {
  return h('div', { class: 'error-summary', tabindex: '-1', hidden: true, 'data-error-summary': '' });
}

export function clearErrors(form) {
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  for (const message of form.querySelectorAll('.field-error')) {
    message.hidden = true;
    message.textContent = '';
  }
  const summary = form.querySelector('[data-error-summary]');
  if (summary) {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

/** Put each API error next to its field, list them all at the top, and focus the list. */
export function showErrors(form, errors, fallback = 'The request failed.') {
  clearErrors(form);
  const summary = form.querySelector('[data-error-summary]');
  const items = [];
  for (const error of errors) {
    const target = findControl(form, error.field);
    const text = humanise(error.message);
    if (target) {
      const message = form.querySelector(`#${target.dataset.errorId || `${target.id}-error`}`)
        || target.parentElement.querySelector('.field-error');
      if (target.matches('input, select, textarea')) target.setAttribute('aria-invalid', 'true');
      if (message) {
        message.textContent = message.textContent ? `${message.textContent} ${text}` : text;
        message.hidden = false;
      }
      items.push(h('li', {}, h('a', {
        href: `#${target.id}`,
        onClick: (event) => { event.preventDefault(); focusControl(target); },
      }, `${labelOf(form, target, error.field)}: ${text}`)));
    } else {
      items.push(h('li', {}, text));
    }
  }
  if (!summary) return;
  const count = items.length;
  summary.replaceChildren(
    h('h3', {}, count ? `Please correct ${count === 1 ? 'this problem' : `these ${count} problems`}` : 'It did not work'),
    count ? h('ul', {}, items) : h('p', {}, fallback));
  summary.hidden = false;
  summary.focus();
}

function findControl(form, name) {
  if (!name) return null;
  const escaped = CSS.escape(name);
  const found = form.querySelector(`[data-field="${escaped}"]`)
    || form.querySelector(`[data-field^="${escaped}."]`);
  if (found) return found;
  // An item of a list typed in one field (`rules.0.match.countries.2`): the list's field.
  const parent = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
  return parent ? form.querySelector(`[data-field="${CSS.escape(parent)}"]`) : null;
}

function focusControl(target) {
  const focusable = target.matches('fieldset') ? target.querySelector('input, select, textarea') : target;
  focusable?.focus();
}

function labelOf(form, target, fallback) {
  const text = target.matches('fieldset')
    ? target.querySelector('legend')?.textContent || fallback
    : form.querySelector(`label[for="${target.id}"]`)?.firstChild?.textContent || fallback;
  const row = target.closest('.person');
  if (row) return `${row.getAttribute('aria-label')}, ${text}`;
  // A field of one of several alike groups (a routing rule): say which, by the group's legend.
  const group = target.parentElement?.closest('[data-rule]');
  return group ? `${group.querySelector('legend')?.textContent}, ${text}` : text;
}

const MESSAGES = { 'Field required': 'This is required.', 'String should have at least 1 character': 'This is required.' };

function humanise(message) {
  const text = String(message || 'Invalid value').replace(/^Value error, /, '');
  return MESSAGES[text] || text;
}

/** The trimmed value of a named control, or undefined when it is empty. */
export function valueOf(form, name) {
  const control = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  const value = control ? control.value.trim() : '';
  return value === '' ? undefined : value;
}
