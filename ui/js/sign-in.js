// Sign-in: Entra ID (MSAL) in Azure; locally, the dev sign-in picks a partner and roles.

import { PARTNER_ROLES, devSignIn, msalSignIn } from './auth.js';
import { h } from './dom.js';
import { errorSummary, field, showErrors } from './forms.js';

const ROLE_HINTS = {
  'Referrals.Admin': 'read and act on leads',
  'Referrals.User': 'read leads only',
  'BusinessProfile.Admin': 'act on leads and edit the profile contacts',
};

export function renderSignIn(main, config, message) {
  const parts = [h('h1', {}, 'Sign in to Partner leads')];
  if (message) parts.push(h('p', { class: 'notice', role: 'status' }, message));
  if (config.msal) {
    parts.push(h('p', {}, 'Use your work account.'),
      h('button', { type: 'button', class: 'button-primary', onClick: () => msalSignIn() }, 'Sign in with Microsoft'));
  }
  if (config.devSignIn) parts.push(devForm());
  if (!config.msal && !config.devSignIn) {
    parts.push(h('p', {}, 'Sign-in is not configured for this app. An administrator sets UI_CLIENT_ID (Entra ID); ',
      'locally, `make run` turns on the dev sign-in.'));
  }
  main.replaceChildren(h('div', { class: 'page page-narrow' }, h('section', { class: 'card sign-in' }, ...parts)));
}

function devForm() {
  const summary = errorSummary();
  const roles = h('fieldset', { class: 'choices', 'data-field': 'roles', 'data-error-id': 'roles-error', 'aria-describedby': 'roles-error' },
    h('legend', {}, 'Roles'),
    PARTNER_ROLES.map((role) => h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'roles', value: role, checked: role === 'Referrals.Admin' }),
      h('span', {}, role, h('span', { class: 'hint' }, ` — ${ROLE_HINTS[role]}`)))),
    h('p', { class: 'field-error', id: 'roles-error', hidden: true }));
  const form = h('form', { class: 'form', novalidate: true },
    h('h2', {}, 'Dev sign-in'),
    h('p', { class: 'muted' }, 'Local development only: a token for any partner, signed with the local dev key.'),
    summary,
    field({ name: 'partnerId', label: 'Partner ID', value: 'contoso', required: true, autocomplete: 'organization' }),
    roles,
    field({ name: 'name', label: 'Your name', value: 'Dev User', autocomplete: 'name' }),
    field({ name: 'email', label: 'Your email', type: 'email', value: 'dev.user@example.com', autocomplete: 'email' }),
    h('div', { class: 'actions-row' }, h('button', { type: 'submit', class: 'button-primary' }, 'Sign in')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await devSignIn({
        partnerId: String(data.get('partnerId')).trim(),
        roles: data.getAll('roles'),
        name: String(data.get('name')).trim() || 'Dev User',
        email: String(data.get('email')).trim() || 'dev.user@example.com',
      });
    } catch (error) {
      showErrors(form, error.problem?.errors || [], error.message);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
