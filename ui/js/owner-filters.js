// The quick filters by owner: all leads, the caller's own ("My leads"), nobody's ("Unassigned").
// They set the list API's `owner` (me | none), kept in the page URL like every filter.

import { h } from './dom.js';
import { href } from './router.js';

const CHOICES = [['', 'All leads'], ['me', 'My leads'], ['none', 'Unassigned']];

export function ownerQuickFilters(query) {
  const current = query.get('owner') || '';
  return h('nav', { class: 'quick-filters', 'aria-label': 'Leads by owner' },
    CHOICES.map(([value, text]) => {
      const params = new URLSearchParams(query);
      if (value) params.set('owner', value);
      else params.delete('owner');
      return h('a', { href: href('', params), 'data-route': '', class: 'chip', 'aria-current': current === value ? 'page' : null }, text);
    }));
}

export const ownerName = (lead) => lead.owner?.name || 'Unassigned';
