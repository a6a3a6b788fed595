// The small marks a sales desk scans for: status, quality (reasons on hover or focus), contact
// validity, spam risk, the hot flame and the respond-by countdown. Shared by the list and the page.

import { h, icon, uid, visuallyHidden } from './dom.js';
import { countdown, formatDateTime, label } from './format.js';

const SPAM_REASON = /spam|disposable/i;

export function statusBadge(lead) {
  // An informational lead is Received but owes nothing: saying "Received" reads like a to-do.
  if (lead.status === 'Received' && !lead.needsAnswer) return h('span', { class: 'badge status-info' }, 'No action needed');
  const text = lead.outcome ? `${label('status', lead.status)} · ${label('outcome', lead.outcome)}` : label('status', lead.status);
  const tone = lead.outcome ? `outcome-${lead.outcome.toLowerCase()}` : `status-${lead.status.toLowerCase()}`;
  return h('span', { class: `badge ${tone}` }, text);
}

/** The rating, with its reasons in a tooltip shown on hover and on keyboard focus (Escape hides). */
export function qualityBadge(lead) {
  const rating = lead.quality?.rating || 'Unknown';
  const reasons = lead.quality?.reasons || [];
  const tipId = uid('quality');
  const tip = h('span', { class: 'tip-body', role: 'tooltip', id: tipId },
    h('strong', {}, `${rating} quality`),
    reasons.length ? h('ul', {}, reasons.map((reason) => h('li', {}, reason))) : h('span', {}, 'No reasons recorded.'));
  const trigger = h('button', {
    type: 'button', class: `badge quality-${rating.toLowerCase()}`, 'aria-describedby': tipId,
    onKeydown: (event) => { if (event.key === 'Escape') wrapper.classList.add('tip-dismissed'); },
    onBlur: () => wrapper.classList.remove('tip-dismissed'),
    onClick: () => wrapper.classList.toggle('tip-pinned'),
  }, visuallyHidden('Quality: '), rating);
  const wrapper = h('span', { class: 'tip' }, trigger, tip);
  return wrapper;
}

const VALIDITY_ICON = { Valid: 'check', Invalid: 'cross', Spam: 'warning', Unknown: 'question' };

/** "Email ✓" / "Phone ✗": the word is visible, the verdict is in the icon and for screen readers. */
export function validityMark(kind, value, { verdictOnly = false } = {}) {
  const verdict = value || 'Unknown';
  const text = verdictOnly
    ? [visuallyHidden(`${kind}: `), h('span', {}, verdict === 'Unknown' ? 'Not checked' : verdict)]
    : [h('span', {}, kind), visuallyHidden(` ${verdict.toLowerCase()}`)];
  return h('span', { class: `mark mark-${verdict.toLowerCase()}`, title: `${kind}: ${verdict}` },
    icon(VALIDITY_ICON[verdict] || 'question'), ...text);
}

export function isSpamRisk(lead) {
  return lead.emailValidity === 'Spam' || (lead.quality?.reasons || []).some((reason) => SPAM_REASON.test(reason));
}

export function spamWarning(lead) {
  if (!isSpamRisk(lead)) return null;
  return h('span', { class: 'warn' }, icon('warning'), 'Spam risk');
}

/**
 * Hot: the API's `hot` (contact requested, still needing an answer, not spam, within the window).
 * `hotUntil` is set only for leads that can be hot: once it passes, the flame cools down.
 */
export function hotBadge(lead, hotHours = 72) {
  if (lead.hot) return h('span', { class: 'flame flame-hot' }, icon('flame', 'icon-filled'), 'Hot');
  if (!lead.hotUntil) return null;
  return h('span', { class: 'flame flame-cold', title: `Contact requested more than ${hotHours} hours ago` },
    icon('flame'), 'Contact requested');
}

export function respondByCell(lead) {
  if (lead.needsAnswer && lead.respondBy) {
    const left = countdown(lead.respondBy);
    return h('span', { class: `countdown${left.urgent ? ' countdown-urgent' : ''}` },
      icon('clock'), h('time', { datetime: lead.respondBy, title: formatDateTime(lead.respondBy) }, left.text));
  }
  if (lead.status === 'Received') return h('span', { class: 'muted no-response' }, 'No response needed');
  return h('span', { class: 'muted' }, '—');
}
