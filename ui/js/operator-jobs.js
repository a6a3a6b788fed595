// Deliveries (the intake journal: quarantine, the raw body, replay) and the scheduled jobs (run
// as of an instant, a dry run first by default), for operators.

import { announce, h } from './dom.js';
import { formatDateTime } from './format.js';
import { clearErrors, errorSummary, field, showErrors } from './forms.js';
import { ops } from './operator-api.js';
import { actionButton, fact } from './operator-kit.js';
import { href, navigate } from './router.js';

const STATUSES = ['Received', 'Created', 'StageAdded', 'Duplicate', 'Test', 'Rejected', 'Quarantined'];
const NOT_LANDED = new Set(['Received', 'Rejected', 'Quarantined']);

export async function renderDeliveries(body, route, ctx) {
  const query = route.query;
  const status = query.has('status') ? query.get('status') : 'Quarantined';
  const partnerId = query.get('partnerId') || '';
  const filters = h('form', { class: 'form ops-filters', role: 'search', 'aria-label': 'Deliveries' },
    h('div', { class: 'field-pair' },
      field({ name: 'status', label: 'Outcome', value: status, options: [['', 'Any'], ...STATUSES.map((s) => [s, s])] }),
      field({ name: 'partnerId', label: 'Partner ID', value: partnerId, autocomplete: 'off' })),
    h('div', { class: 'actions-row' }, h('button', { type: 'submit', class: 'button-primary' }, 'Show deliveries')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const name of ['status', 'partnerId']) {
      const value = filters.elements[name].value.trim();
      if (value) next.set(name, value);
    }
    if (!next.has('status')) next.set('status', '');
    navigate(href('ops/deliveries', next), { focus: '.ops-filters select' });
  });
  const list = h('ul', { class: 'ops-list', 'aria-label': 'Deliveries' });
  const more = h('div', { class: 'load-more' });
  const replayStatus = h('p', { role: 'status', class: 'ops-result' });
  const replayAll = actionButton('Replay all shown (last 7 days)', {
    status: replayStatus,
    confirm: 'Process these deliveries again? Landed ones are skipped.',
    run: async () => {
      const from = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
      const result = await ops.replay({ from, ...(status ? { status } : {}), ...(partnerId ? { partnerId } : {}) });
      announce('Replay queued.');
      return `${result.queued} queued, ${result.skipped} skipped (landed), ${result.failed} failed.`;
    },
  });
  body.replaceChildren(h('p', { class: 'muted' }, 'Every marketplace delivery is kept as received, with its outcome. Quarantined ones could not be processed: fix the cause, then replay them.'),
    filters, h('div', { class: 'actions-row' }, replayAll, replayStatus), list, more);
  const load = async (token) => {
    const params = new URLSearchParams();
    if (status) params.set('status', status);
    if (partnerId) params.set('partnerId', partnerId);
    if (token) params.set('continuationToken', token);
    const page = await ops.deliveries(params);
    if (!ctx.isCurrent()) return;
    if (!token && !page.items.length) list.replaceChildren(h('li', {}, 'No deliveries in the last 7 days match.'));
    list.append(...page.items.map(deliveryCard));
    more.replaceChildren(page.continuationToken
      ? h('button', { type: 'button', class: 'button-secondary', onClick: () => load(page.continuationToken) }, 'Show more')
      : '');
  };
  await load(null);
}

function deliveryCard(d) {
  const status = h('p', { role: 'status', class: 'ops-result' });
  const raw = h('div');
  return h('li', { class: `card ops-card${d.status === 'Quarantined' ? ' needs-attention' : ''}`, 'data-delivery': d.deliveryId },
    h('h2', { class: 'ops-card-title' }, d.status, h('span', { class: 'sub' }, `${d.partnerId} · ${d.deliveryId}`)),
    d.reason ? h('p', {}, d.reason) : null,
    h('dl', { class: 'ops-facts' }, fact('Received', formatDateTime(d.receivedAt)), fact('Source', d.source),
      fact('Lead', d.leadId || '—'), fact('Attempts', String(d.attempts))),
    h('div', { class: 'action-buttons' },
      actionButton('Show body', { status, run: async () => {
        const detail = await ops.delivery(d.deliveryId);
        raw.replaceChildren(h('pre', { class: 'ops-body-text' }, detail.body));
        return '';
      } }),
      NOT_LANDED.has(d.status) ? actionButton('Replay', { status, run: async () => {
        const result = await ops.replay({ deliveryId: d.deliveryId });
        return result.queued ? 'Queued: it is processed again in a moment.' : 'Skipped: it landed already.';
      } }) : null),
    status, raw);
}

export async function renderJobs(body) {
  // The API lists the jobs and says which run per partner: nothing here restates it.
  const jobs = new Map((await ops.jobs()).items.map((job) => [job.name, job]));
  const result = h('div', { class: 'ops-job-result', role: 'status' });
  const summary = h('p', { class: 'muted', 'data-testid': 'job-summary' });
  const asOf = field({ name: 'asOf', label: 'As of (your time)', type: 'datetime-local', hint: 'Empty: now. What is due as of this instant; whatever the run records is dated now.' });
  const form = h('form', { class: 'form', novalidate: true },
    errorSummary(),
    h('div', { class: 'field-pair' },
      field({ name: 'job', label: 'Job', options: [...jobs.keys()].map((j) => [j, j]) }),
      field({ name: 'partnerId', label: 'Partner ID (partner jobs only)', autocomplete: 'off', hint: 'Empty: every partner.' })),
    summary,
    asOf,
    h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'dryRun', checked: true }), h('span', {}, 'Dry run: report what it would do, write nothing')),
    h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'allowFuture' }), h('span', {}, 'Allow an instant more than a day ahead')),
    h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'fanOut' }), h('span', {}, 'Fan out as the timer does (work orders)')),
    h('div', { class: 'actions-row' }, h('button', { type: 'submit', class: 'button-primary' }, 'Run')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const el = form.elements;
    const query = new URLSearchParams();
    if (el.asOf.value) query.set('asOf', new Date(el.asOf.value).toISOString());
    if (el.partnerId.value.trim()) query.set('partnerId', el.partnerId.value.trim());
    for (const name of ['dryRun', 'allowFuture', 'fanOut']) if (el[name].checked) query.set(name, 'true');
    if (!el.dryRun.checked && !window.confirm(`Run ${el.job.value} for real? What it does is written, not only reported.`)) return;
    clearErrors(form);
    result.replaceChildren(h('p', {}, 'Running…'));
    try {
      const { status, body: report } = await ops.runJob(el.job.value, query);
      result.replaceChildren(h('section', { class: 'card' },
        h('h2', {}, `${report.job}${report.dryRun ? ' (dry run: nothing written)' : ''}${status === 202 ? ': work orders queued' : ''}`),
        h('p', { class: 'muted' }, `As of ${formatDateTime(report.asOf)}`),
        h('dl', { class: 'ops-facts' }, Object.entries(report.counts).map(([k, v]) => fact(k, String(v))))));
      announce('The job ran.');
    } catch (error) {
      // A field's error goes next to that field (once); a refusal of the run as a whole below it.
      if (error.errors?.length) {
        result.replaceChildren();
        showErrors(form, error.errors, error.detail || error.message);
      } else {
        result.replaceChildren(h('p', { class: 'error-text', role: 'alert' }, error.detail || error.message));
      }
    }
  });
  const describe = () => {
    const job = jobs.get(form.elements.job.value);
    summary.textContent = job ? job.summary : '';
    form.elements.partnerId.disabled = !job?.perPartner;
    form.elements.fanOut.disabled = !job?.perPartner;
  };
  form.elements.job.addEventListener('change', describe);
  describe();
  body.replaceChildren(h('p', { class: 'muted' }, 'Run a scheduled job now, as of any instant (replay a day). Try a dry run first.'),
    h('section', { class: 'card' }, form), result);
}
