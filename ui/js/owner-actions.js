// Owning a lead: "Assign" (a Referrals.Admin gives it to anyone in the Team, or nobody) and
// "Take it" (a salesperson owns an unowned lead). Offered only when the lead's allowedActions
// list them, like every other action; both are POST …/assign with the lead's ETag.

import { api } from './api.js';
import { h } from './dom.js';
import { field, valueOf } from './forms.js';

/** The member id the API knows the signed-in user by (GET /api/team marks it `isMe`). */
async function myMemberId() {
  const me = (await api.team()).items.find((member) => member.isMe);
  if (!me) throw new Error('You are not in the Team yet: reload the page and try again.');
  return me.id;
}

function memberChoice(lead) {
  const select = field({ name: 'memberId', label: 'Owner', options: [['', 'Loading the Team…']] });
  const input = select.querySelector('select');
  api.team().then((team) => {
    const choices = [['', 'Nobody (unassigned)'], ...team.items.map((member) => [member.id,
      `${member.name}${member.isMe ? ' (you)' : ''}${member.available ? '' : ' (away)'}${member.kind === 'Contact' ? ' · profile contact' : ''}`])];
    input.replaceChildren(...choices.map(([value, text]) => h('option', { value, selected: value === (lead.owner?.id || '') }, text)));
  }).catch((error) => {
    input.replaceChildren(h('option', { value: '' }, `The Team could not be loaded: ${error.detail || error.message}`));
  });
  return select;
}

export const OWNER_ACTIONS = {
  take: {
    label: 'Take it', title: 'Take this lead', submit: 'Take it', done: 'The lead is yours.',
    fields: () => [h('p', { class: 'muted' }, 'You become its owner: it shows under My leads, and nobody else can take it.')],
    body: () => ({}),
    send: async (lead, body, etag) => api.act(lead.id, 'assign', { memberId: await myMemberId() }, etag),
  },
  assign: {
    label: 'Assign', title: 'Assign the lead', submit: 'Assign', done: 'The lead\'s owner is saved; they are emailed.',
    fields: (lead) => [memberChoice(lead)],
    body: (form) => ({ memberId: valueOf(form, 'memberId') ?? null }),
    send: (lead, body, etag) => api.act(lead.id, 'assign', body, etag),
  },
};
