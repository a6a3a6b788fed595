// Settings: who receives new-lead emails, your own email preferences (they take precedence),
// and the business profile's notification contacts. Whether the contacts are editable is the
// API's answer (`editable`), never a guess from the user's roles.

import { api } from './api.js';
import { announce, h, icon } from './dom.js';
import { contactsEditor } from './contacts-editor.js';
import { clearErrors, errorSummary, field, showErrors } from './forms.js';
import { fillRoutingSection } from './routing-settings.js';
import { fillTeamSection } from './team-settings.js';
import { integrationsSection } from './integrations-settings.js';

export async function renderSettings(main, route, ctx) {
  const preferences = h('section', { class: 'card', 'aria-labelledby': 'prefs-heading' },
    h('h2', { id: 'prefs-heading' }, 'Your email notifications'), h('p', { role: 'status' }, 'Loading…'));
  const contacts = h('section', { class: 'card', 'aria-labelledby': 'contacts-heading' },
    h('h2', { id: 'contacts-heading' }, 'Business profile contacts'), h('p', { role: 'status' }, 'Loading…'));
  const who = h('section', { class: 'card', 'aria-labelledby': 'who-heading', 'data-testid': 'recipients' },
    h('h2', { id: 'who-heading' }, 'Who receives new-lead emails'), h('p', { role: 'status' }, 'Loading…'));
  const team = h('section', { class: 'card', 'aria-labelledby': 'team-heading', id: 'team' },
    h('h2', { id: 'team-heading' }, 'Team'), h('p', { role: 'status' }, 'Loading…'));
  const routing = h('section', { class: 'card', 'aria-labelledby': 'routing-heading', id: 'routing' },
    h('h2', { id: 'routing-heading' }, 'Routing'), h('p', { role: 'status' }, 'Loading…'));
  main.replaceChildren(h('div', { class: 'page' }, h('h1', {}, 'Settings'), h('div', { class: 'settings' }, who, preferences, contacts, team, routing, integrationsSection())));
  fillTeamSection(team);
  fillRoutingSection(routing);
  const [prefs, profile] = await Promise.allSettled([api.preferences(), api.contacts()]);
  if (!ctx.isCurrent()) return;
  if (prefs.status === 'fulfilled' && profile.status === 'fulfilled') {
    who.replaceChildren(who.querySelector('h2'), ...recipientsSummary(prefs.value, profile.value.body.contacts || []));
  } else {
    who.remove();
  }
  fill(preferences, prefs, (value) => preferencesForm(value));
  fill(contacts, profile, (value) => contactsForm(value));
}

/** Plainly: the contacts get them, each under their own preference; and what that means for you. */
function recipientsSummary(prefs, contacts) {
  if (contacts.length === 0) {
    return [h('p', { class: 'error-text' }, 'Nobody: the business profile has no contacts, so no one is emailed about new leads. A business profile admin can add contacts below.')];
  }
  const people = contacts.length === 1 ? 'the 1 contact' : `the ${contacts.length} contacts`;
  let you;
  if (!prefs.isContact) you = `You do not: your sign-in address (${prefs.signInEmail || 'none'}) is not one of the contacts.`;
  else if (!prefs.emailEnabled) you = 'You do not: you switched new-lead emails off in your preferences below.';
  else you = `You do, at ${prefs.email || prefs.signInEmail}.`;
  return [
    h('p', {}, `New-lead emails (one per lead that asks to be contacted, or a daily digest on busy days) go to ${people} of the business profile listed below. A contact who switched emails off in their own preferences gets none; one who chose another address gets them there.`),
    h('p', { 'data-testid': 'recipients-you' }, h('strong', {}, you)),
  ];
}

function fill(section, result, build) {
  const heading = section.querySelector('h2');
  if (result.status === 'fulfilled') section.replaceChildren(heading, ...build(result.value));
  else section.replaceChildren(heading, h('p', { class: 'error-text' }, `Could not load: ${result.reason.detail || result.reason.message}`));
}

function preferencesForm(prefs) {
  const saved = h('p', { class: 'save-status', role: 'status' });
  const contactNote = prefs.isContact
    ? `Your sign-in address (${prefs.signInEmail}) is one of the business profile's contacts: these settings decide what you get.`
    : `Your sign-in address (${prefs.signInEmail || 'none'}) is not on the business profile's contacts, so new-lead emails go to the contacts below. Ask a business profile admin to add you.`;
  const form = h('form', { class: 'form', novalidate: true },
    errorSummary(),
    h('p', { class: 'muted' }, contactNote),
    h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'emailEnabled', 'data-field': 'emailEnabled', checked: prefs.emailEnabled }),
      h('span', {}, 'Email me about new leads')),
    field({ name: 'email', label: 'Send my emails to', type: 'email', value: prefs.email || '', autocomplete: 'email', hint: `Leave empty to use your contact address${prefs.signInEmail ? ` (${prefs.signInEmail})` : ''}.` }),
    h('div', { class: 'actions-row' }, h('button', { type: 'submit', class: 'button-primary' }, 'Save my preferences'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    saved.textContent = '';
    const email = form.elements.email.value.trim();
    try {
      await api.savePreferences({ emailEnabled: form.elements.emailEnabled.checked, email: email || null });
      saved.replaceChildren(icon('check'), 'Saved');
      announce('Your preferences are saved.');
    } catch (error) {
      showErrors(form, error.errors || [], error.detail || error.message);
    }
  });
  return [form];
}

function contactsForm({ body, etag }) {
  const contacts = body.contacts || [];
  if (!body.editable) {
    return [
      h('p', { class: 'muted' }, 'These people get an email for each new Contact-me lead. Only a business profile admin can change them.'),
      contacts.length
        ? h('ul', { class: 'people-view' }, contacts.map((c) => h('li', {}, h('strong', {}, c.name), h('span', { class: 'sub' }, c.email))))
        : h('p', {}, 'No contacts yet.'),
    ];
  }
  return [contactsEditor({
    contacts,
    etag,
    intro: 'These people get an email for each new Contact-me lead (a daily digest past 10 leads a day). Keep at least one.',
    save: (list, currentEtag) => api.saveContacts(list, currentEtag),
  })];
}
