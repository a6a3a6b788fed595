// The leads workspace: three tabs, the search box, the filter panel, sort, the list with
// "load more", export.

import { api } from './api.js';
import { announce, h, icon, showCurrentTab } from './dom.js';
import { FILTER_NAMES, SORTS, VIEWS, apiQuery, filterPanel, viewOf } from './filters.js';
import { label } from './format.js';
import { leadRow, LIST_COLUMNS } from './lead-row.js';
import { ownerQuickFilters } from './owner-filters.js';
import { href, navigate, rememberList } from './router.js';

const PAGE_SIZE = 50;

export async function renderWorkspace(main, route, ctx) {
  const query = route.query;
  const view = viewOf(query);
  rememberList(window.location.pathname + window.location.search);
  const status = h('p', { class: 'results-status', id: 'results-status', tabindex: '-1', role: 'status' }, 'Loading leads…');
  const body = h('tbody');
  const table = h('table', { class: 'lead-table' },
    h('caption', { class: 'visually-hidden' }, `${label('view', view)}: one lead per row`),
    h('thead', {}, h('tr', {}, LIST_COLUMNS.map((column) => h('th', { scope: 'col', class: column.className || null }, column.header)))),
    body);
  const more = h('div', { class: 'load-more' });
  const page = h('div', { class: 'page page-wide' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Leads'), exportButton(query, view)),
    tabs(query, view),
    h('div', { class: 'workspace' },
      filterPanel(query, (chosen) => apply(query, chosen)),
      h('section', { class: 'results', 'aria-labelledby': 'results-heading' },
        h('h2', { id: 'results-heading', class: 'visually-hidden' }, 'Results'),
        searchBox(query),
        ownerQuickFilters(query),
        h('div', { class: 'toolbar' }, status, sortControl(query)),
        h('div', { class: 'table-wrap' }, table),
        more)));
  main.replaceChildren(page);
  showCurrentTab(page.querySelector('.tabs'));

  let shown = 0;
  const load = async (continuationToken = null) => {
    const params = apiQuery(query);
    params.set('pageSize', String(pageSize(query)));
    if (continuationToken) params.set('continuationToken', continuationToken);
    const result = await api.listLeads(params);
    if (!ctx.isCurrent()) return;
    const rows = result.items.map((lead) => leadRow(lead, { hotHours: 72 }));
    body.append(...rows);
    const before = shown;
    shown += result.items.length;
    status.textContent = shown
      ? `${shown} ${shown === 1 ? 'lead' : 'leads'} shown${result.continuationToken ? ', more available' : ''}`
      : 'No leads match this view and these filters.';
    more.replaceChildren();
    if (result.continuationToken) {
      more.append(h('button', {
        type: 'button', class: 'button-secondary',
        onClick: async (event) => {
          event.currentTarget.disabled = true;
          try {
            const first = await load(result.continuationToken);
            announce(`${shown} leads shown`);
            body.rows[first]?.querySelector('a')?.focus();
          } catch (error) {
            event.currentTarget.disabled = false;
            showListError(status, error);
          }
        },
      }, 'Load more leads'));
    }
    return before;
  };
  try {
    await load();
  } catch (error) {
    if (ctx.isCurrent()) showListError(status, error);
  }
}

/** `?pageSize=` in the URL (1–200) overrides the default page of 50. */
function pageSize(query) {
  const asked = Number.parseInt(query.get('pageSize') || '', 10);
  return asked >= 1 && asked <= 200 ? asked : PAGE_SIZE;
}

function showListError(status, error) {
  status.textContent = `The leads could not be loaded: ${error.detail || error.message}`;
  status.classList.add('error-text');
}

function tabs(query, current) {
  return h('nav', { class: 'tabs', 'aria-label': 'Lead views' },
    VIEWS.map((view) => {
      const params = new URLSearchParams(query);
      params.set('view', view);
      return h('a', { href: href('', params), 'data-route': '', 'aria-current': view === current ? 'page' : null },
        label('view', view));
    }));
}

function apply(query, chosen) {
  const params = new URLSearchParams();
  params.set('view', viewOf(query));
  for (const name of FILTER_NAMES) if (chosen.get(name)) params.set(name, chosen.get(name));
  for (const kept of ['q', 'sort', 'pageSize', 'owner']) if (query.get(kept)) params.set(kept, query.get(kept));
  navigate(href('', params), { focus: '#results-status' });
}

/** Search by a prefix of the company, a first or last name or an email (the API's `q`). */
function searchBox(query) {
  const input = h('input', {
    type: 'search', id: 'lead-search', name: 'q', value: query.get('q') || '',
    placeholder: 'Company, name or email', autocomplete: 'off', enterkeyhint: 'search',
  });
  const form = h('form', { class: 'search', role: 'search', 'aria-label': 'Search leads' },
    h('label', { for: 'lead-search', class: 'visually-hidden' }, 'Search leads'),
    input,
    h('button', { type: 'submit', class: 'button-secondary' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams(query);
    params.delete('continuationToken');
    const typed = input.value.trim();
    if (typed) params.set('q', typed);
    else params.delete('q');
    params.set('view', viewOf(query));
    navigate(href('', params), { focus: '#results-status' });
  });
  return form;
}

function sortControl(query) {
  // A search without a sort comes in the order of the matched name (the API's default for `q`).
  const searching = Boolean(query.get('q'));
  const current = query.get('sort') || (searching ? '' : '-createdAt');
  const choices = searching ? ['', ...SORTS] : SORTS;
  const select = h('select', { id: 'sort', name: 'sort' },
    choices.map((sort) => h('option', { value: sort, selected: current === sort }, sort ? label('sort', sort) : 'Matched name (A–Z)')));
  select.addEventListener('change', () => {
    const params = new URLSearchParams(query);
    if (select.value) params.set('sort', select.value);
    else params.delete('sort');
    params.set('view', viewOf(query));
    navigate(href('', params), { focus: '#sort' });
  });
  return h('div', { class: 'sort' }, h('label', { for: 'sort' }, 'Sort by'), select);
}

function exportButton(query, view) {
  const button = h('button', { type: 'button', class: 'button-secondary' }, icon('download'), 'Export CSV');
  const problem = h('p', { class: 'error-text export-error', hidden: true });
  button.addEventListener('click', async () => {
    button.disabled = true;
    problem.hidden = true;
    announce('Preparing the export…');
    try {
      const blob = await api.exportLeads(apiQuery(query));
      const url = URL.createObjectURL(blob);
      const day = new Date().toISOString().slice(0, 10);
      const link = h('a', { href: url, download: `leads-${view}-${day}.csv`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60000);
      announce('The CSV file was downloaded.');
    } catch (error) {
      problem.textContent = `The export failed: ${error.detail || error.message}`;
      problem.hidden = false;
      announce(problem.textContent);
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'export' }, problem, button);
}
