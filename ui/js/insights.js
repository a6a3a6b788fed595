// Insights: how the partner answered the leads that arrived in a window (GET /api/insights):
// acceptance rate and time to first action (what the marketplace ranks partners by), win rate,
// outcomes, won value, and why leads were declined or lost.

import { api } from './api.js';
import { barChart, ring } from './charts.js';
import { h, uid } from './dom.js';
import { formatDay, formatDuration, formatMoney, formatPercent, label, localDay } from './format.js';
import { field } from './forms.js';
import { href, navigate } from './router.js';

export async function renderInsights(main, route, ctx) {
  const query = route.query;
  const form = h('form', { class: 'insights-form', novalidate: true, 'aria-label': 'Period' },
    field({ name: 'from', label: 'Leads received from', type: 'date', value: query.get('from') || '' }),
    field({ name: 'to', label: 'to', type: 'date', value: query.get('to') || '' }),
    h('button', { type: 'submit', class: 'button-primary' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of ['from', 'to']) {
      const value = form.elements[name].value;
      if (value) params.set(name, value);
    }
    navigate(href('insights', params), { focus: '#insights-status' });
  });
  const status = h('p', { id: 'insights-status', class: 'insights-range', role: 'status', tabindex: '-1' }, 'Loading your figures…');
  const body = h('div', { class: 'insights' });
  main.replaceChildren(h('div', { class: 'page page-wide' },
    h('h1', {}, 'Insights'),
    h('p', { class: 'muted' }, 'Respond quickly: the marketplace ranks partners by how often and how fast they answer.'),
    form, status, body));

  const params = new URLSearchParams();
  for (const name of ['from', 'to']) {
    const value = query.get(name);
    if (value) params.set(name, dayBoundary(value, name === 'to'));
  }
  let report;
  try {
    report = await api.insights(params);
  } catch (error) {
    if (ctx.isCurrent()) status.textContent = `The insights could not be loaded: ${error.detail || error.message}`;
    return;
  }
  if (!ctx.isCurrent()) return;
  // The period the figures cover, as the API used it (by default the last 90 days): shown in
  // words and in the date fields, so nobody reads last quarter's figures as this month's.
  form.elements.from.value = localDay(report.createdFrom);
  form.elements.to.value = localDay(report.createdTo);
  const chosen = query.get('from') || query.get('to');
  status.replaceChildren(
    h('strong', {}, `${formatDay(report.createdFrom)} – ${formatDay(report.createdTo)}`),
    chosen ? '' : ' (the last 90 days)',
    `: ${report.leads} ${report.leads === 1 ? 'lead' : 'leads'} received.`);
  body.replaceChildren(
    h('div', { class: 'kpis' },
      kpi('Acceptance rate', formatPercent(report.acceptanceRate), `${report.accepted} accepted`, ring(report.acceptanceRate, `Acceptance rate ${formatPercent(report.acceptanceRate)}`)),
      kpi('Median time to first action', formatDuration(report.medianSecondsToFirstAction), `over ${report.firstActions} answered leads`),
      kpi('Win rate', formatPercent(report.winRate), `${report.byOutcome?.Won ?? 0} won, ${report.byOutcome?.Lost ?? 0} lost`, ring(report.winRate, `Win rate ${formatPercent(report.winRate)}`)),
      kpi('Expired unanswered', String(report.expired), 'leads nobody answered in time')),
    h('div', { class: 'chart-grid' },
      chartCard('Leads by status', counts(report.byStatus, 'status'), 'primary'),
      chartCard('Outcomes', counts(report.byOutcome, 'outcome'), 'secondary'),
      chartCard('Decline reasons', counts(report.declineReasons, 'reason', true), 'warning'),
      chartCard('Lost reasons', counts(report.lostReasons, 'reason', true), 'danger'),
      chartCard('Won value by currency', (report.wonValue || []).map((won) => ({
        label: `${won.currency || 'No currency'} (${won.deals} ${won.deals === 1 ? 'deal' : 'deals'})`,
        value: Number(won.value),
        text: formatMoney(won.value, won.currency),
      })), 'success')));
}

function dayBoundary(day, end) {
  const [year, month, date] = day.split('-').map(Number);
  if (!year || !month || !date) return day;
  const instant = end ? new Date(year, month - 1, date, 23, 59, 59, 999) : new Date(year, month - 1, date);
  return instant.toISOString();
}

function counts(map, group, skipZero = false) {
  return Object.entries(map || {})
    .filter(([, value]) => !skipZero || value > 0)
    .map(([key, value]) => ({ label: label(group, key), value }));
}

function kpi(title, value, note, graphic = null) {
  const id = uid('kpi');
  return h('section', { class: 'card kpi', 'aria-labelledby': id },
    h('h2', { id }, title),
    h('div', { class: 'kpi-body' }, graphic, h('p', { class: 'kpi-value' }, value)),
    h('p', { class: 'muted small' }, note));
}

function chartCard(title, data, tone) {
  const holder = h('div', { class: 'chart-holder' });
  const id = uid('chart');
  const card = h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), holder);
  if (data.length) barChart(holder, data, { title, tone });
  else holder.append(h('p', { class: 'muted' }, 'Nothing in this period.'));
  return card;
}
