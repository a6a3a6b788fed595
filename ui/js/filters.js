// The filter panel: every filter of the list API, kept in the page URL so a view can be
// bookmarked and shared. Applying the form navigates to the new URL.

import { h } from './dom.js';
import { field } from './forms.js';
import { options } from './format.js';

const ANY = [['', 'Any']];
export const VIEWS = ['marketplace', 'qualified', 'favorites'];
export const SORTS = ['-createdAt', 'createdAt', 'respondBy', 'customer', '-customer', '-estimatedValue', 'estimatedValue'];

const CHOICES = [
  ['status', 'Status'], ['outcome', 'Outcome'], ['callToAction', 'Call to action'], ['source', 'Lead source'],
  ['leadType', 'Lead type'], ['quality', 'Lead quality'], ['emailValidity', 'Email validity'],
  ['phoneValidity', 'Phone validity'],
];
const TEXTS = [['customer', 'Customer name', 'The company name starts with'], ['country', 'Country or region', 'e.g. DE or Germany']];
const DATES = [['createdFrom', 'Received from'], ['createdTo', 'Received to']];
const FLAGS = [['hot', 'Hot leads only'], ['includeTest', 'Include marketplace test leads']];
// `owner` (me | none) is set by the quick filters above the list (owner-filters.js).
export const FILTER_NAMES = [...CHOICES, ...TEXTS, ...DATES, ...FLAGS].map(([name]) => name).concat('owner');

export function viewOf(query) {
  const view = query.get('view');
  return VIEWS.includes(view) ? view : 'marketplace';
}

export function activeFilterCount(query) {
  return FILTER_NAMES.filter((name) => query.get(name)).length;
}

/** The list API's query for the page's URL: dates become the user's local day boundaries. */
export function apiQuery(query) {
  const params = new URLSearchParams({ view: viewOf(query) });
  for (const name of FILTER_NAMES) {
    const value = query.get(name);
    if (!value) continue;
    if (name === 'createdFrom' || name === 'createdTo') params.set(name, localDayBoundary(value, name === 'createdTo'));
    else params.set(name, value);
  }
  const search = (query.get('q') || '').trim();
  if (search) params.set('q', search);
  const sort = query.get('sort');
  if (SORTS.includes(sort)) params.set('sort', sort);
  return params;
}

function localDayBoundary(day, end) {
  const [year, month, date] = day.split('-').map(Number);
  if (!year || !month || !date) return day; // let the API say what is wrong with it
  const instant = end ? new Date(year, month - 1, date, 23, 59, 59, 999) : new Date(year, month - 1, date);
  return instant.toISOString();
}

export function filterPanel(query, onApply) {
  const open = activeFilterCount(query) > 0 || window.matchMedia('(min-width: 60em)').matches;
  const form = h('form', { class: 'filters-form', novalidate: true, 'aria-label': 'Filters' },
    h('div', { class: 'filters-grid' },
      CHOICES.map(([name, text]) => field({ name, label: text, value: query.get(name) || '', options: [...ANY, ...options(name)] })),
      TEXTS.map(([name, text, hint]) => field({ name, label: text, value: query.get(name) || '', hint })),
      DATES.map(([name, text]) => field({ name, label: text, type: 'date', value: query.get(name) || '' }))),
    h('div', { class: 'filters-flags' }, FLAGS.map(([name, text]) => h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name, value: 'true', checked: query.get(name) === 'true' }), h('span', {}, text)))),
    h('div', { class: 'actions-row' },
      h('button', { type: 'submit', class: 'button-primary' }, 'Apply filters'),
      h('button', { type: 'button', class: 'button-quiet', onClick: () => onApply(new URLSearchParams()) }, 'Clear filters')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (String(value).trim()) chosen.set(name, String(value).trim());
    onApply(chosen);
  });
  const count = activeFilterCount(query);
  return h('details', { class: 'filters card', open },
    h('summary', {}, 'Filters', count ? h('span', { class: 'count' }, ` (${count} active)`) : null),
    form);
}
