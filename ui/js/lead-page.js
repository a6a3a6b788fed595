// One lead: customer details with quick copy, the deal, a timeline of interactions and history,
// and exactly the actions its state allows. A 409/412 says the lead changed and offers a reload.

import { api } from './api.js';
import { hotBadge, qualityBadge, respondByCell, spamWarning, statusBadge, validityMark } from './badges.js';
import { announce, focusFirst, h, icon } from './dom.js';
import {
  countryName, formatDate, formatDateTime, formatMoney, label, personName,
} from './format.js';
import { ACTIONS, actionForm, offeredActions } from './lead-forms.js';
import { heartButton } from './lead-row.js';
import { ownerName } from './owner-filters.js';
import { href, lastListUrl } from './router.js';

export async function renderLeadPage(main, route, ctx) {
  main.replaceChildren(h('div', { class: 'page' }, h('h1', {}, 'Lead'), h('p', { role: 'status' }, 'Loading the lead…')));
  let loaded;
  try {
    loaded = await api.getLead(route.id);
  } catch (error) {
    if (!ctx.isCurrent()) return;
    const text = error.status === 404 ? 'This lead does not exist, or it belongs to another partner.' : error.detail || error.message;
    main.replaceChildren(h('div', { class: 'page' }, backLink(), h('h1', {}, 'Lead not available'), h('p', {}, text)));
    return;
  }
  if (!ctx.isCurrent()) return;
  new LeadPage(main, { lead: loaded.body, etag: loaded.etag }).render();
}

const backLink = () => h('p', { class: 'back' },
  h('a', { href: lastListUrl() || href(), 'data-route': '' }, icon('back'), 'All leads'));

class LeadPage {
  constructor(main, state) {
    this.main = main;
    this.state = state;
    this.open = null;
  }

  render() {
    const { lead } = this.state;
    const customer = lead.customer || {};
    const company = customer.company || personName(customer) || 'Unnamed customer';
    this.conflict = h('div', { class: 'conflict-slot' });
    this.main.replaceChildren(h('article', { class: 'page lead-page' },
      backLink(),
      h('div', { class: 'lead-head' },
        h('div', {},
          h('h1', { tabindex: '-1' }, company),
          h('p', { class: 'sub' }, [personName(customer), customer.title].filter(Boolean).join(', ') || label('leadType', lead.leadType))),
        h('div', { class: 'head-marks' }, statusBadge(lead), qualityBadge(lead), hotBadge(lead), spamWarning(lead),
          heartButton(lead, company))),
      hotAlert(lead),
      archivedNote(lead),
      this.conflict,
      h('div', { class: 'lead-grid' },
        h('div', { class: 'lead-main' },
          this.actionsSection(),
          customerSection(lead),
          dealSection(lead),
          timelineSection(lead)),
        h('aside', { class: 'lead-side', 'aria-label': 'Lead details' }, detailsSection(lead)))));
  }

  actionsSection() {
    const { lead } = this.state;
    const kinds = offeredActions(lead); // the API's answer for this user: never decided here
    const panel = h('div', { id: 'action-panel', class: 'action-panel' });
    const buttons = kinds.map((kind) => h('button', {
      type: 'button', class: 'button-secondary', 'aria-expanded': String(this.open === kind), 'aria-controls': 'action-panel',
      'data-kind': kind, onClick: () => this.toggle(kind),
    }, ACTIONS[kind].label));
    this.panel = panel;
    this.buttons = buttons;
    return h('section', { class: 'card', 'aria-labelledby': 'actions-heading' },
      h('h2', { id: 'actions-heading' }, 'Actions'), h('p', {}, actionsIntro(lead, kinds)),
      buttons.length ? h('div', { class: 'action-buttons' }, buttons) : null, panel);
  }

  toggle(kind) {
    this.open = this.open === kind ? null : kind;
    for (const button of this.buttons) button.setAttribute('aria-expanded', String(button.dataset.kind === this.open));
    this.conflict.replaceChildren();
    if (!this.open) {
      this.panel.replaceChildren();
      return;
    }
    const form = actionForm(kind, this.state, {
      onSaved: (saved, message) => this.saved(saved, message),
      onConflict: (error) => this.showConflict(error),
      onCancel: () => this.close(kind),
    });
    this.panel.replaceChildren(form);
    form.querySelector('input, select, textarea')?.focus();
  }

  close(kind) {
    this.open = null;
    this.panel.replaceChildren();
    const button = this.buttons.find((candidate) => candidate.dataset.kind === kind);
    button?.setAttribute('aria-expanded', 'false');
    button?.focus();
  }

  saved({ body, etag }, message) {
    this.state = { lead: body, etag };
    this.open = null;
    this.render();
    this.main.querySelector('.lead-head')?.after(h('p', { class: 'notice notice-success' }, icon('check'), message));
    focusFirst(this.main, 'h1');
    announce(message);
  }

  showConflict(error) {
    const reload = h('button', { type: 'button', class: 'button-primary', onClick: () => this.reload() }, icon('reload'), 'Reload the lead');
    const alert = h('div', { class: 'alert alert-conflict', role: 'alert', tabindex: '-1' },
      h('h2', {}, 'This lead changed'),
      h('p', {}, error.status === 412
        ? 'Someone else changed this lead since you opened it, so nothing was saved. Reload it to see its current state, then try again.'
        : `The lead's state no longer allows this: ${error.detail || 'it changed since you opened it.'} Reload it to see its current state.`),
      reload);
    this.conflict.replaceChildren(alert);
    alert.focus();
  }

  async reload() {
    try {
      const { body, etag } = await api.getLead(this.state.lead.id);
      this.state = { lead: body, etag };
      this.open = null;
      this.render();
      focusFirst(this.main, 'h1');
      announce('The lead was reloaded.');
    } catch (error) {
      announce(`The lead could not be reloaded: ${error.detail || error.message}`);
    }
  }
}

/** A sentence on what the offered actions are for, or on why there are none. */
function actionsIntro(lead, kinds) {
  if (kinds.includes('accept') || kinds.includes('decline')) return 'Accept the lead to work it, or decline it.';
  if (kinds.some((kind) => !['assign', 'take'].includes(kind))) return 'Keep the deal up to date, then mark it won or lost.';
  if (kinds.length) return 'Take the lead to make it yours, or wait for an admin to assign it.';
  if (lead.status === 'Archived') return 'Archived leads are read-only.';
  if (!lead.requiresAction) return 'This is an informational lead: no response is needed. Use it for cross-sell and up-sell outreach.';
  return 'Your role can read leads but not act on them.';
}

/** The call-them banner follows the API: `hot` now, or `hotUntil` passed (never on answered,
 * archived or spam-flagged leads, which have no `hotUntil`). */
function hotAlert(lead) {
  if (lead.hot) {
    return h('div', { class: 'alert alert-hot' }, icon('flame', 'icon-filled'),
      h('p', {}, h('strong', {}, 'The customer asked to be contacted. '),
        `Call them as soon as possible: a prompt answer wins deals and raises your visibility. Hot until ${formatDateTime(lead.hotUntil)}.`));
  }
  if (!lead.hotUntil) return null;
  return h('div', { class: 'alert alert-cold' }, icon('flame'),
    h('p', {}, h('strong', {}, 'The customer asked to be contacted '), `on ${formatDateTime(lead.createdAt)}. `,
      `The hot window ended ${formatDateTime(lead.hotUntil)}: the lead still needs your answer, so reach out today if you have not yet.`));
}

function archivedNote(lead) {
  if (lead.status !== 'Archived') return null;
  const closure = lead.decline || lead.lost;
  return h('div', { class: `alert alert-archived outcome-${(lead.outcome || '').toLowerCase()}` },
    h('p', {}, h('strong', {}, `Archived: ${label('outcome', lead.outcome)}`),
      lead.closedAt ? ` on ${formatDateTime(lead.closedAt)}` : '',
      closure ? ` · ${label('reason', closure.reason)}` : '',
      '. No further action can be taken on this lead.'));
}

function copyButton(value, what) {
  const button = h('button', { type: 'button', class: 'copy button-quiet', 'aria-label': `Copy ${what}` }, icon('copy'), h('span', { 'aria-hidden': 'true' }, 'Copy'));
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
      button.lastChild.textContent = 'Copied';
      announce(`${what} copied`);
      window.setTimeout(() => { button.lastChild.textContent = 'Copy'; }, 2000);
    } catch {
      announce(`Copying did not work: select the ${what} and copy it.`);
    }
  });
  return button;
}

function rows(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([term, ...value]) =>
    h('div', {}, h('dt', {}, term), h('dd', {}, ...value))));
}

function customerSection(lead) {
  const customer = lead.customer || {};
  const retired = lead.outcome === 'Expired' || lead.outcome === 'AgedOut';
  return h('section', { class: 'card', 'aria-labelledby': 'customer-heading' },
    h('h2', { id: 'customer-heading' }, 'Customer'),
    retired ? h('p', { class: 'muted' }, 'Contact details are removed once a lead expires or is archived unanswered.') : null,
    rows([
      ['Name', personName(customer) || '—'],
      ['Job title', customer.title || '—'],
      ['Company', customer.company || '—'],
      ['Email', customer.email
        ? h('span', { class: 'copyable' }, h('a', { href: `mailto:${customer.email}` }, customer.email), copyButton(customer.email, 'email address'))
        : '—',
      customer.email ? h('span', { class: 'sub' }, validityMark('Email', lead.emailValidity, { verdictOnly: true }), ' ', spamWarning(lead)) : null],
      ['Phone', customer.phone
        ? h('span', { class: 'copyable' }, h('a', { href: `tel:${customer.phone}` }, customer.phone), copyButton(customer.phone, 'phone number'))
        : '—',
      customer.phone ? h('span', { class: 'sub' }, validityMark('Phone', lead.phoneValidity, { verdictOnly: true })) : null],
      ['Country or region', countryName(customer.country)],
    ]),
    h('p', { class: 'muted small footnote' }, 'Validity is about reachability only: it does not vouch for who the customer is.'));
}

function people(list, empty) {
  if (!list?.length) return h('p', { class: 'muted' }, empty);
  return h('ul', { class: 'people-view' }, list.map((person) =>
    h('li', {}, h('strong', {}, person.name), [person.email, person.phone].filter(Boolean).map((text) => h('span', { class: 'sub' }, text)))));
}

function dealSection(lead) {
  const deal = lead.deal;
  if (!deal && !lead.team?.length && !lead.decline && !lead.lost && !lead.closing) return null;
  const estimate = lead.status === 'Received';
  return h('section', { class: 'card', 'aria-labelledby': 'deal-heading' },
    h('h2', { id: 'deal-heading' }, estimate ? 'The referral\'s estimate' : 'Deal'),
    deal ? rows([
      ['Deal name', deal.name || '—'],
      ['Estimated value', formatMoney(deal.estimatedValue, deal.currency)],
      ['Estimated close date', formatDate(deal.estimatedCloseDate)],
      ['Notes', h('span', { class: 'pre' }, deal.notes || '—')],
      ['CRM ID', deal.crmId || '—'],
      ['Marketing campaign ID', deal.campaignId || '—'],
    ]) : null,
    lead.status !== 'Received' ? [h('h3', {}, 'Team'), people(lead.team, 'No team members yet.'),
      h('h3', {}, 'More contacts'), people(lead.contacts, 'None.')] : null,
    lead.decline ? [h('h3', {}, 'Declined'), rows([['Reason', label('reason', lead.decline.reason)], ['Notes', lead.decline.notes || '—']])] : null,
    closingRows(lead));
}

/** How the deal ended: its own notes and final value, beside the deal's estimate and notes. */
function closingRows(lead) {
  if (lead.outcome !== 'Won' && lead.outcome !== 'Lost') return null;
  const closing = lead.closing || {};
  return [h('h3', {}, lead.outcome === 'Won' ? 'Won' : 'Lost'), rows([
    lead.lost ? ['Reason', label('reason', lead.lost.reason)] : null,
    ['Final value', formatMoney(closing.value, closing.currency)],
    ['Closing notes', h('span', { class: 'pre' }, closing.notes || '—')],
  ])];
}

function detailsSection(lead) {
  const offer = lead.offer;
  return h('section', { class: 'card', 'aria-labelledby': 'details-heading' },
    h('h2', { id: 'details-heading' }, 'Lead details'),
    rows([
      ['Offer', offer?.title || (lead.leadType === 'Profile' ? 'Business profile' : '—'), offer?.id ? h('span', { class: 'sub' }, offer.id) : null],
      ['Lead type', label('leadType', lead.leadType)],
      lead.qualification ? ['Qualification', label('qualification', lead.qualification)] : null,
      ['Call to action', label('callToAction', lead.callToAction)],
      ['Lead source', lead.source ? label('source', lead.source) : lead.rawSource || '—'],
      lead.sender ? ['Sent by', lead.sender.name || lead.sender.email || '—', lead.sender.email ? h('span', { class: 'sub' }, lead.sender.email) : null] : null,
      ['Owner', ownerName(lead)],
      ['Received', h('time', { datetime: lead.createdAt }, formatDateTime(lead.createdAt))],
      lead.respondBy && lead.status === 'Received' ? ['Respond by', h('time', { datetime: lead.respondBy }, formatDateTime(lead.respondBy)), h('span', { class: 'sub' }, respondByCell(lead))] : null,
      lead.acceptedAt ? ['Accepted', formatDateTime(lead.acceptedAt)] : null,
      lead.closedAt ? ['Closed', formatDateTime(lead.closedAt)] : null,
      lead.archiveAt && lead.status !== 'Archived' ? ['Available until', formatDateTime(lead.archiveAt)] : null,
      lead.description ? [(lead.interactions || []).filter((i) => i.description).length > 1 ? 'Customer\'s latest message' : 'Customer\'s message', h('span', { class: 'pre' }, lead.description)] : null,
      lead.flags?.length ? ['Delivery notes', lead.flags.join(', ')] : null,
    ]));
}

function timelineSection(lead) {
  const interactions = [...(lead.interactions || [])];
  const items = (lead.history || []).map((entry) => {
    const index = interactions.findIndex((interaction) => interaction.at === entry.at);
    const interaction = index >= 0 ? interactions.splice(index, 1)[0] : null;
    return { at: entry.at, title: entry.action, detail: detailText(entry.detail), by: entry.actor, source: interaction?.source, deliveryId: interaction?.deliveryId, message: interaction?.description };
  });
  for (const interaction of interactions) {
    items.push({ at: interaction.at, title: 'Customer interaction', detail: label('callToAction', interaction.callToAction || interaction.actionCode), source: interaction.source, deliveryId: interaction.deliveryId, message: interaction.description });
  }
  items.sort((a, b) => new Date(a.at) - new Date(b.at));
  return h('section', { class: 'card', 'aria-labelledby': 'timeline-heading' },
    h('h2', { id: 'timeline-heading' }, 'Timeline'),
    h('ol', { class: 'timeline' }, items.map((item) => h('li', {},
      h('time', { datetime: item.at }, formatDateTime(item.at)),
      h('p', {}, h('strong', {}, item.title), item.detail ? ` — ${item.detail}` : '',
        item.source ? ` · ${label('source', item.source)}` : ''),
      item.by ? h('p', { class: 'sub' }, `by ${item.by}`) : null,
      // What the customer wrote at this visit: each visit keeps its own words.
      item.message ? h('blockquote', { class: 'customer-message pre' }, item.message) : null,
      // The intake journal's id: what an operator looks up in /api/ops/deliveries.
      item.deliveryId ? h('p', { class: 'sub' }, 'Delivery ', h('code', { class: 'delivery-id' }, item.deliveryId)) : null))));
}

function detailText(detail) {
  if (!detail) return '';
  return label('reason', label('callToAction', detail));
}
