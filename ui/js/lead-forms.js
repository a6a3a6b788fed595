// The lead's actions, each a form: Accept, Decline, Edit, Add employee, Won, Lost. Which ones a
// lead offers is the API's call, not ours: every lead carries `allowedActions`, computed from its
// state and the caller's roles by the same rule that refuses the others (403/409).

import { api } from './api.js';
import { h, uid } from './dom.js';
import { clearErrors, errorSummary, field, personList, readPeople, showErrors, valueOf } from './forms.js';
import { options } from './format.js';
import { OWNER_ACTIONS } from './owner-actions.js';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'PLN', 'INR', 'BRL', 'MXN', 'ZAR'];
const REASONS = [['', 'Choose a reason'], ...options('reason')];

/** The lead's actions that have a form here, in the order the API lists them. */
export function offeredActions(lead) {
  return (lead.allowedActions || []).filter((action) => Object.hasOwn(ACTIONS, action));
}

const money = (name, text, value, hint) =>
  field({ name, label: text, value: value ?? '', inputmode: 'decimal', hint });

function currency(value) {
  const listId = uid('currencies');
  return [
    field({ name: 'currency', label: 'Currency', value: value ?? '', list: listId, maxlength: 3, hint: 'ISO code, e.g. EUR', autocomplete: 'off' }),
    h('datalist', { id: listId }, CURRENCIES.map((code) => h('option', { value: code }))),
  ];
}

/** Today in the user's own calendar, as a date input wants it (the API refuses earlier days). */
function localToday() {
  const now = new Date();
  return [now.getFullYear(), now.getMonth() + 1, now.getDate()].map((part) => String(part).padStart(2, '0')).join('-');
}

/** Final value and its currency: recorded beside the deal, whose estimate stays as it was. */
const finalValue = (lead) => [
  h('div', { class: 'field-pair' },
    money('value', 'Final deal value', null, 'Optional: what the deal closed at. The estimate stays as it was.'),
    ...currency(lead.deal?.currency)),
];

function dealFields(deal = {}, { people = null } = {}) {
  return [
    field({ name: 'dealName', label: 'Deal name', value: deal.name, required: true }),
    h('div', { class: 'field-pair' },
      money('estimatedValue', 'Estimated value', deal.estimatedValue, 'A number, e.g. 25000'),
      ...currency(deal.currency)),
    field({ name: 'estimatedCloseDate', label: 'Estimated close date', type: 'date', value: deal.estimatedCloseDate, min: localToday(), hint: 'When the customer expects to buy: today or later' }),
    field({ name: 'notes', label: 'Notes', hint: 'What is the customer looking for?', value: deal.notes, multiline: true, required: true, maxlength: 8000 }),
    people,
    h('div', { class: 'field-pair' },
      field({ name: 'crmId', label: 'CRM ID', value: deal.crmId, hint: 'Your own reference' }),
      field({ name: 'campaignId', label: 'Marketing campaign ID', value: deal.campaignId, hint: 'The campaign that produced the lead' })),
  ];
}

const upper = (value) => (value === undefined ? undefined : value.toUpperCase());

export const ACTIONS = {
  accept: {
    label: 'Accept', title: 'Accept the lead', submit: 'Accept lead', done: 'The lead is accepted.',
    fields: (lead) => [
      ...dealFields(lead.deal || {}, {
        people: personList({ name: 'teamMembers', legend: 'Team members working on the deal', singular: 'Team member' }),
      }),
      personList({ name: 'contacts', legend: 'More contacts from your company', singular: 'Contact' }),
    ],
    body: (form) => ({
      dealName: valueOf(form, 'dealName'),
      estimatedValue: valueOf(form, 'estimatedValue'),
      currency: upper(valueOf(form, 'currency')),
      estimatedCloseDate: valueOf(form, 'estimatedCloseDate'),
      notes: valueOf(form, 'notes'),
      teamMembers: readPeople(form, 'teamMembers'),
      crmId: valueOf(form, 'crmId'),
      campaignId: valueOf(form, 'campaignId'),
      contacts: readPeople(form, 'contacts'),
    }),
    send: (lead, body, etag) => api.act(lead.id, 'accept', body, etag),
  },
  decline: {
    label: 'Decline', title: 'Decline the lead', submit: 'Decline lead', done: 'The lead is declined; the customer is told to choose another partner.',
    fields: () => [
      field({ name: 'reason', label: 'Reason', options: REASONS, required: true }),
      field({ name: 'notes', label: 'Notes', multiline: true, maxlength: 8000 }),
    ],
    body: (form) => ({ reason: valueOf(form, 'reason'), notes: valueOf(form, 'notes') }),
    send: (lead, body, etag) => api.act(lead.id, 'decline', body, etag),
  },
  edit: {
    label: 'Edit deal', title: 'Edit the deal', submit: 'Save changes', done: 'The deal is saved.',
    fields: (lead) => dealFields(lead.deal || {}, {
      people: personList({ name: 'teamMembers', legend: 'Team members working on the deal', singular: 'Team member', people: lead.team }),
    }),
    // A JSON merge patch: every deal field is sent, an emptied optional one as null (cleared).
    body: (form) => ({
      dealName: valueOf(form, 'dealName') ?? '',
      estimatedValue: valueOf(form, 'estimatedValue') ?? null,
      currency: upper(valueOf(form, 'currency')) ?? null,
      estimatedCloseDate: valueOf(form, 'estimatedCloseDate') ?? null,
      notes: valueOf(form, 'notes') ?? '',
      teamMembers: readPeople(form, 'teamMembers'),
      crmId: valueOf(form, 'crmId') ?? null,
      campaignId: valueOf(form, 'campaignId') ?? null,
    }),
    send: (lead, body, etag) => api.edit(lead.id, body, etag),
  },
  addTeamMember: {
    label: 'Add employee', title: 'Add an employee to the deal', submit: 'Add employee', done: 'The employee is added to the team.',
    fields: () => [
      field({ name: 'name', label: 'Name', required: true, autocomplete: 'off' }),
      field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'off' }),
      field({ name: 'phone', label: 'Phone', type: 'tel', autocomplete: 'off', hint: 'International format, e.g. +44 20 7946 0958' }),
    ],
    body: (form) => ({ name: valueOf(form, 'name'), email: valueOf(form, 'email'), phone: valueOf(form, 'phone') }),
    send: (lead, body, etag) => api.act(lead.id, 'team', body, etag),
  },
  markWon: {
    label: 'Mark won', title: 'Mark the deal won', submit: 'Mark won', done: 'The deal is marked won and archived.',
    fields: (lead) => [
      ...finalValue(lead),
      field({ name: 'notes', label: 'Closing notes', hint: 'How the deal was won. The deal\'s own notes are kept.', multiline: true, maxlength: 8000 }),
    ],
    body: (form) => ({ value: valueOf(form, 'value'), currency: upper(valueOf(form, 'currency')), notes: valueOf(form, 'notes') }),
    send: (lead, body, etag) => api.act(lead.id, 'won', body, etag),
  },
  markLost: {
    label: 'Mark lost', title: 'Mark the deal lost', submit: 'Mark lost', done: 'The deal is marked lost and archived.',
    fields: (lead) => [
      field({ name: 'reason', label: 'Reason', options: REASONS, required: true }),
      ...finalValue(lead),
      field({ name: 'notes', label: 'Closing notes', hint: 'Why the deal was lost. The deal\'s own notes are kept.', multiline: true, maxlength: 8000 }),
    ],
    body: (form) => ({ reason: valueOf(form, 'reason'), value: valueOf(form, 'value'), currency: upper(valueOf(form, 'currency')), notes: valueOf(form, 'notes') }),
    send: (lead, body, etag) => api.act(lead.id, 'lost', body, etag),
  },
  ...OWNER_ACTIONS,
};

/**
 * The form of one action. `onSaved({body, etag})` gets the new lead; `onConflict(error)` is told
 * about 409/412 (the lead changed); other errors are shown in the form, next to their fields.
 */
export function actionForm(kind, state, { onSaved, onConflict, onCancel }) {
  const spec = ACTIONS[kind];
  const headingId = uid('action');
  const submit = h('button', { type: 'submit', class: kind === 'decline' || kind === 'markLost' ? 'button-danger' : 'button-primary' }, spec.submit);
  const form = h('form', { class: 'form action-form', novalidate: true, 'aria-labelledby': headingId, 'data-action': kind },
    h('h3', { id: headingId, tabindex: '-1' }, spec.title),
    errorSummary(),
    ...spec.fields(state.lead),
    h('div', { class: 'actions-row' }, submit,
      h('button', { type: 'button', class: 'button-quiet', onClick: onCancel }, 'Cancel')));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.target.closest('select')) onCancel();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    submit.disabled = true;
    try {
      const saved = await spec.send(state.lead, spec.body(form), state.etag);
      onSaved(saved, spec.done);
    } catch (error) {
      if (error.isConflict) onConflict(error);
      else if (error.status === 403) showErrors(form, [], 'Your role can read leads but not act on them.');
      else showErrors(form, error.errors || [], error.detail || error.message);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
