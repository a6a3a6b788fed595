// What the operators' pages share: a fact of a card, a load failure, a confirmed action.

import { h } from './dom.js';

/** One fact of a card: a label and its value. */
export const fact = (label, value) => [h('dt', {}, label), h('dd', {}, value ?? '—')];

export function failure(error) {
  return h('p', { class: 'error-text', role: 'alert' }, `Could not load: ${error.detail || error.message}`);
}

/** A button whose action is asked for first, then shows its answer (or error) in `status`. */
export function actionButton(text, { confirm, className = 'button-secondary', status, run }) {
  const button = h('button', {
    type: 'button', class: className,
    onClick: async () => {
      if (confirm && !window.confirm(confirm)) return;
      button.disabled = true;
      try {
        status.textContent = await run();
      } catch (error) {
        status.textContent = error.detail || error.message;
      } finally {
        button.disabled = false;
      }
    },
  }, text);
  return button;
}
