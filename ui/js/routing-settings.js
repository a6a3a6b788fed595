// Settings → Routing: the rules that give each new lead an owner, in order, the default pool,
// "also notify contacts" and the follow-up SLA; and a preview of which rule a lead would match.
// The rules are the API's (PUT /profile/routing validates them); the preview asks the API too.

import { api } from './api.js';
import { announce, h, icon, uid } from './dom.js';
import { clearErrors, errorSummary, field, showErrors } from './forms.js';
import { options } from './format.js';

// A condition with few values is a set of tick boxes (by the names the app shows), so a rule
// cannot name a value that does not exist; offers and countries are typed, comma-separated.
const CONDITIONS = [
  ['views', 'Tabs', { choices: options('view').filter(([value]) => value !== 'favorites') }],
  ['callsToAction', 'Calls to action', { choices: options('callToAction') }],
  ['sources', 'Lead sources', { choices: options('source') }],
  ['qualifications', 'Qualifications', { choices: options('qualification') }],
  ['countries', 'Countries or regions', { hint: 'DE, FR, AT' }],
  ['offerIds', 'Offer ids', { hint: 'publisher.offer' }],
];
const list = (text) => text.split(',').map((part) => part.trim()).filter(Boolean);

export async function fillRoutingSection(section) {
  const heading = section.querySelector('h2');
  let loaded;
  let team;
  try {
    [loaded, team] = await Promise.all([api.routing(), api.team()]);
  } catch (error) {
    const text = error.status === 403
      ? 'Only a Referrals admin or a business profile admin can see and change the routing.'
      : `Could not load: ${error.detail || error.message}`;
    section.replaceChildren(heading, h('p', { class: 'muted' }, text));
    return;
  }
  section.replaceChildren(heading, ...routingForm(loaded, team.items));
}

/** Tick boxes of `choices` ([value, text]); `field` is the API's name for the list, so its
 * errors land here. */
function tickBoxes({ name, field: apiName, legend, choices, chosen, className = '' }) {
  const id = uid('ticks');
  return h('fieldset', { class: `choices ${className}`.trim(), id, 'data-field': apiName, 'data-error-id': `${id}-error`, 'aria-describedby': `${id}-error` },
    h('legend', {}, legend),
    choices.map(([value, text]) => h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name, value, checked: chosen.includes(value) }), h('span', {}, text))),
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
}

const memberChoices = (members) => members.map((member) => [member.id, `${member.name}${member.available ? '' : ' (away)'}`]);

/** One condition of rule `index`: tick boxes or a comma-separated field. */
function condition(index, [name, text, { choices, hint }], match) {
  const chosen = match?.[name] || [];
  if (choices) {
    return tickBoxes({ name, field: `rules.${index}.match.${name}`, legend: `${text} (none ticked: any)`, choices, chosen, className: 'condition' });
  }
  return ruleField(index, `match.${name}`, { name, label: text, hint: `Any of, comma-separated: ${hint}. Empty: any.`, value: chosen.join(', ') });
}

/** A field of rule `index`, named for the API (`rules.0.match.countries`) so errors find it. */
function ruleField(index, path, options) {
  const wrapper = field(options);
  wrapper.querySelector('input').dataset.field = `rules.${index}.${path}`;
  return wrapper;
}

function ruleBlock(rule, index, members, onRemove) {
  const targets = rule.assignTo ? [rule.assignTo] : rule.pool || [];
  // A rule without conditions is valid (a catch-all) but easy to leave by mistake: say what it does.
  const catchAll = h('p', { class: 'notice rule-note', 'data-testid': 'catch-all' },
    'No conditions: this rule matches every lead. The rules after it and the default pool get a lead only when nobody here is available.');
  const block = h('fieldset', { class: 'rule card', 'data-rule': '' },
    h('legend', {}, `Rule ${index + 1}`),
    ruleField(index, 'name', { name: 'name', label: 'Name', value: rule.name || '' }),
    CONDITIONS.map((spec) => condition(index, spec, rule.match)),
    catchAll,
    tickBoxes({ name: `rule-${index}`, field: `rules.${index}`, legend: 'Assign to (one person, or several taking turns)', choices: memberChoices(members), chosen: targets, className: 'targets' }),
    h('button', { type: 'button', class: 'button-quiet', onClick: onRemove }, `Remove rule ${index + 1}`));
  const showCatchAll = () => {
    catchAll.hidden = Object.values(readMatch(block)).some((values) => values.length);
  };
  block.addEventListener('input', showCatchAll);
  block.addEventListener('change', showCatchAll);
  showCatchAll();
  return block;
}

function readMatch(block) {
  const ticked = (name) => [...block.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
  const typed = (name) => list(block.querySelector(`[name="${name}"]`).value);
  const match = Object.fromEntries(CONDITIONS.map(([name, , { choices }]) => [name, choices ? ticked(name) : typed(name)]));
  match.countries = match.countries.map((code) => code.toUpperCase()); // ISO codes: "de" is DE
  return match;
}

function readRule(block) {
  const name = block.querySelector('[name="name"]').value.trim() || null;
  const chosen = [...block.querySelectorAll('.targets input:checked')].map((box) => box.value);
  const rule = { name, match: readMatch(block) };
  return chosen.length === 1 ? { ...rule, assignTo: chosen[0] } : { ...rule, pool: chosen };
}

function routingForm({ body, etag }, members) {
  let currentEtag = etag;
  let rules = [...(body.rules || [])];
  const rulesBox = h('div', { class: 'rules' });
  const draw = () => rulesBox.replaceChildren(...rules.map((rule, index) => ruleBlock(rule, index, members, () => {
    rules = readRules().filter((_, other) => other !== index);
    draw();
  })));
  const readRules = () => [...rulesBox.querySelectorAll('[data-rule]')].map(readRule);
  draw();
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: body.enabled });
  const alsoContacts = h('input', { type: 'checkbox', name: 'alsoNotifyContacts', checked: body.alsoNotifyContacts });
  const hours = field({ name: 'followUpHours', label: 'Follow-up SLA (hours)', type: 'number', value: String(body.followUpHours), min: 0, hint: 'An unassigned or untouched lead is escalated to the admins and contacts after this long; 0 = never.' });
  const pool = tickBoxes({ name: 'defaultPool', field: 'defaultPool', legend: 'Default pool: when no rule matches', choices: memberChoices(members), chosen: body.defaultPool || [] });
  const draft = () => ({
    enabled: enabled.checked,
    alsoNotifyContacts: alsoContacts.checked,
    followUpHours: Number(form.elements.followUpHours.value || 0),
    defaultPool: [...pool.querySelectorAll('input:checked')].map((box) => box.value),
    rules: readRules(),
  });
  const saved = h('p', { class: 'save-status', role: 'status' });
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'Routing rules' },
    errorSummary(),
    h('label', { class: 'choice' }, enabled, h('span', {}, 'Route new leads to an owner')),
    h('label', { class: 'choice' }, alsoContacts, h('span', {}, 'Also email the profile contacts about routed leads')),
    hours, rulesBox,
    h('button', { type: 'button', class: 'button-secondary', onClick: () => { rules = [...readRules(), { match: {} }]; draw(); } }, 'Add rule'),
    pool,
    h('div', { class: 'actions-row' }, h('button', { type: 'submit', class: 'button-primary' }, 'Save routing'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    saved.textContent = '';
    try {
      const result = await api.saveRouting(draft(), currentEtag);
      currentEtag = result.etag;
      saved.replaceChildren(icon('check'), 'Saved');
      announce('The routing is saved.');
    } catch (error) {
      showErrors(form, (error.errors || []).map(forPeople), error.status === 412 ? 'Someone else changed the routing: reload the page.' : error.detail || error.message);
    }
  });
  return [form, previewForm(draft)];
}

/** The API names a rule's one-target check by the rule (`rules.0`) and words it for developers
 * (assignTo, pool): say it as the form does, next to the rule's tick boxes. A country it cannot
 * read gets the generic "not in the expected format": say which format. */
function forPeople(error) {
  const target = /^(rules\.\d+)\.(assignTo|pool)(\.|$)/.exec(error.field || '');
  if (target) return { ...error, field: target[1] };
  if (/^rules\.\d+\.match\.countries\.\d+$/.test(error.field || '')) return { ...error, message: 'Use two-letter country codes, such as DE, FR, AT.' };
  if (/^rules\.\d+$/.test(error.field || '')) return { ...error, message: 'Tick who gets the leads this rule matches: one person, or several to take turns.' };
  return error;
}

function previewForm(draft) {
  const result = h('p', { class: 'preview-result', role: 'status', 'data-testid': 'routing-preview' });
  const choice = (name, text, group) => field({ name, label: text, options: [['', 'Any'], ...options(group)] });
  const form = h('form', { class: 'form preview', novalidate: true, 'aria-label': 'Preview' },
    h('h3', {}, 'Which rule would match this lead?'),
    field({ name: 'view', label: 'Tab', options: [['marketplace', 'Marketplace leads'], ['qualified', 'Qualified leads']] }),
    choice('callToAction', 'Call to action', 'callToAction'),
    choice('source', 'Lead source', 'source'),
    choice('qualification', 'Qualification', 'qualification'),
    field({ name: 'country', label: 'Country or region', hint: 'e.g. DE' }),
    field({ name: 'offerId', label: 'Offer id' }),
    h('button', { type: 'submit', class: 'button-secondary' }, 'Preview'), result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const lead = Object.fromEntries([...new FormData(form)].filter(([, value]) => String(value).trim()));
    if (lead.country) lead.country = lead.country.trim().toUpperCase();
    try {
      const answer = await api.previewRouting({ routing: { ...draft(), enabled: true }, lead });
      result.textContent = answer.matchedRule
        ? `Rule ${answer.matchedRule} matches: it goes to ${answer.goesTo}${answer.candidates.length ? ` (${answer.candidates.join(', ')})` : ''}.`
        : `No rule matches: it goes to ${answer.goesTo}${answer.candidates.length ? ` (${answer.candidates.join(', ')})` : ''}.`;
    } catch (error) {
      result.textContent = `The preview failed: ${error.errors?.[0]?.message || error.detail || error.message}`;
    }
  });
  return form;
}
