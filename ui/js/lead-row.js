// One row of the lead list. On narrow screens the CSS turns rows into cards, using `data-label`.

import { api } from './api.js';
import { hotBadge, qualityBadge, respondByCell, spamWarning, statusBadge, validityMark } from './badges.js';
import { announce, h, icon } from './dom.js';
import { countryName, formatDateTime, label, personName } from './format.js';
import { ownerName } from './owner-filters.js';
import { href } from './router.js';

export const LIST_COLUMNS = [
  { header: 'Favourite', className: 'col-fav' },
  { header: 'Customer' },
  { header: 'Offer or profile' },
  { header: 'Call to action and source' },
  { header: 'Country' },
  { header: 'Status' },
  { header: 'Owner' },
  { header: 'Quality and contact checks' },
  { header: 'Respond by' },
  { header: 'Received' },
];

export function leadRow(lead, { hotHours }) {
  const customer = lead.customer || {};
  const company = customer.company || personName(customer) || 'Unnamed customer';
  const name = personName(customer);
  // The title has a span of its own: a phone's compact card leaves it to the lead's page.
  const title = customer.title ? h('span', { class: 'contact-title' }, name ? `, ${customer.title}` : customer.title) : null;
  const contact = name || title ? h('span', { class: 'sub' }, name || '', title) : null;
  const cell = (heading, ...content) => h('td', { 'data-label': heading }, h('div', { class: 'cell' }, ...content));
  return h('tr', { class: lead.hot ? 'is-hot' : null },
    h('td', { class: 'col-fav' }, heartButton(lead, company)),
    h('th', { scope: 'row', class: 'col-customer' },
      h('a', { href: href(`leads/${encodeURIComponent(lead.id)}`), 'data-route': '' }, company),
      contact,
      h('span', { class: 'flags' }, hotBadge(lead, hotHours), spamWarning(lead),
        lead.isTest ? h('span', { class: 'badge' }, 'Test') : null)),
    cell('Offer or profile', lead.offer?.title || (lead.leadType === 'Profile' ? 'Business profile' : '—'),
      h('span', { class: 'sub' }, label('leadType', lead.leadType))),
    cell('Call to action', label('callToAction', lead.callToAction),
      h('span', { class: 'sub' }, lead.source ? label('source', lead.source) : label('qualification', lead.qualification))),
    cell('Country', countryName(customer.country)),
    cell('Status', statusBadge(lead)),
    cell('Owner', ownerName(lead)),
    cell('Quality', h('span', { class: 'checks' }, qualityBadge(lead),
      validityMark('Email', lead.emailValidity), validityMark('Phone', lead.phoneValidity))),
    cell('Respond by', respondByCell(lead)),
    cell('Received', h('time', { datetime: lead.createdAt }, formatDateTime(lead.createdAt))));
}

/**
 * The heart: a toggle button; the change shows at once and is undone if the API refuses it.
 * Shown only when the lead's `allowedActions` let this user mark it (or unmark it).
 */
export function heartButton(lead, name) {
  const allowed = lead.allowedActions || [];
  if (!allowed.includes(lead.favorite ? 'unfavorite' : 'favorite')) return null;
  const button = h('button', {
    type: 'button', class: 'heart', 'aria-pressed': String(Boolean(lead.favorite)),
    'aria-label': `Favourite: ${name}`,
  }, icon('heart'));
  button.addEventListener('click', async () => {
    const on = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(on));
    button.disabled = true;
    try {
      const marked = await api.favorite(lead.id, on);
      lead.favorite = marked.favorite;
      lead.allowedActions = marked.allowedActions;
      announce(on ? `${name} added to your favorites` : `${name} removed from your favorites`);
    } catch (error) {
      button.setAttribute('aria-pressed', String(!on));
      announce(`The favourite could not be changed: ${error.detail || error.message}`);
    } finally {
      button.disabled = false;
      button.focus();
    }
  });
  return button;
}
