// Small DOM helpers. Elements are always built, never parsed from strings: no innerHTML anywhere,
// so text from the API can never become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';
const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'open', 'indeterminate']);

export const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? '';
export const UI_BASE = meta('ui-base') || '/api/ui/';
export const ASSETS = meta('ui-assets') || UI_BASE;

function setAttributes(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (PROPERTIES.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function appendAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** h('button', {class: 'primary', onClick}, 'Save') */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  appendAll(el, children);
  return el;
}

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  appendAll(el, children);
  return el;
}

/** A decorative icon from the sprite; give the surrounding control its own text or label. */
export function icon(name, extraClass = '') {
  return s('svg', { class: `icon ${extraClass}`.trim(), 'aria-hidden': 'true', focusable: 'false' },
    s('use', { href: `${ASSETS}icons.svg#${name}` }));
}

export function visuallyHidden(text) {
  return h('span', { class: 'visually-hidden' }, text);
}

/** Tell screen-reader users what just happened (the page's polite live region). */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  window.setTimeout(() => { region.textContent = text; }, 50);
}

let counter = 0;
export const uid = (prefix = 'id') => `${prefix}-${++counter}`;

export function focusFirst(root, selector = 'h1, h2') {
  const target = root.querySelector(selector);
  if (!target) return;
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus();
}

/** On a phone the tab strips scroll sideways: bring the current tab into the strip's view (it
 * may be the last, off screen), without scrolling the page. Call once the strip is in the page. */
export function showCurrentTab(strip) {
  const current = strip?.querySelector('[aria-current="page"]');
  if (!current || strip.scrollWidth <= strip.clientWidth) return;
  const from = strip.getBoundingClientRect().left;
  const tab = current.getBoundingClientRect();
  strip.scrollLeft += tab.left - from - (strip.clientWidth - tab.width) / 2;
}
