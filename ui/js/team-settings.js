// Settings → Team: the people leads are assigned to (users who have used the app and the
// business profile's contacts), their availability (away: skipped by routing) and their routing
// weight. Whether they can be changed here is the API's answer (`editable`).

import { api } from './api.js';
import { announce, h, icon, uid } from './dom.js';

export async function fillTeamSection(section) {
  const heading = section.querySelector('h2');
  let team;
  try {
    team = await api.team();
  } catch (error) {
    section.replaceChildren(heading, h('p', { class: 'error-text' }, `Could not load: ${error.detail || error.message}`));
    return;
  }
  const intro = team.editable
    ? 'Leads are assigned to these people. Someone away is skipped by routing; a weight of 2 gives twice the leads of a weight of 1.'
    : 'Leads are assigned to these people. Only a Referrals admin can change availability and weights.';
  section.replaceChildren(heading, h('p', { class: 'muted' }, intro),
    h('table', { class: 'team-table' },
      h('caption', { class: 'visually-hidden' }, 'Team members'),
      h('thead', {}, h('tr', {}, ['Name', 'Available', 'Weight', ...(team.editable ? [h('span', { class: 'visually-hidden' }, 'Save')] : [])].map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, team.items.map((member) => memberRow(member, team.editable)))));
}

function memberRow(member, editable) {
  const who = h('th', { scope: 'row' }, member.name, member.isMe ? ' (you)' : '',
    h('span', { class: 'sub' }, [member.email, member.kind === 'Contact' ? 'profile contact' : null].filter(Boolean).join(' · ')));
  if (!editable) {
    return h('tr', {}, who, h('td', { 'data-label': 'Available' }, member.available ? 'Yes' : 'Away'), h('td', { 'data-label': 'Weight' }, String(member.weight)));
  }
  const available = h('input', { type: 'checkbox', checked: member.available, 'aria-label': `${member.name} is available` });
  const weight = h('input', { type: 'number', min: 1, max: 10, step: 1, value: member.weight, 'aria-label': `Weight of ${member.name}`, class: 'weight' });
  const status = h('span', { class: 'save-status', role: 'status' });
  // "Save" on screen (a long name would make the column too wide for a phone); the name is in
  // the accessible name, as each row has its own button.
  const save = h('button', { type: 'button', class: 'button-secondary', 'aria-label': `Save ${member.name}` }, 'Save');
  status.id = uid('member-status');
  weight.setAttribute('aria-describedby', status.id); // its error is read with it
  save.addEventListener('click', async () => {
    status.textContent = '';
    status.classList.remove('error-text');
    weight.removeAttribute('aria-invalid');
    save.disabled = true;
    try {
      await api.saveMember(member.id, { available: available.checked, weight: Number(weight.value) });
      status.replaceChildren(icon('check'), 'Saved');
      announce(`${member.name} is saved.`);
    } catch (error) {
      status.textContent = error.errors?.[0]?.message || error.detail || error.message;
      status.classList.add('error-text');
      if (error.errors?.some((problem) => problem.field === 'weight')) weight.setAttribute('aria-invalid', 'true');
    } finally {
      save.disabled = false;
    }
  });
  return h('tr', {}, who, h('td', { 'data-label': 'Available' }, available), h('td', { 'data-label': 'Weight' }, weight), h('td', { class: 'team-save' }, save, status));
}
