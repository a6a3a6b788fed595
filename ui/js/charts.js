// Simple SVG charts drawn from numbers: horizontal bars and a ring for a rate. Each chart is an
// image with a text alternative that lists its figures.

import { s } from './dom.js';

const ROW = 44;

/** Bars for [{label, value, text}] in `container`, redrawn whenever its width changes. */
export function barChart(container, data, { title, tone = 'primary' }) {
  const svg = s('svg', { class: `chart chart-${tone}`, role: 'img', 'aria-label': `${title}: ${summary(data)}` });
  container.append(svg);
  let valueSpace = 64;
  const draw = () => {
    const width = Math.max(220, Math.floor(container.clientWidth || 480));
    const height = Math.max(1, data.length) * ROW + 4;
    const max = Math.max(1, ...data.map((item) => item.value));
    const barSpace = Math.max(60, width - valueSpace);
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.replaceChildren(s('title', {}, title), ...data.flatMap((item, index) => {
      const y = index * ROW;
      const bar = Math.max(item.value ? 3 : 0, Math.round((item.value / max) * barSpace));
      return [
        s('text', { x: 0, y: y + 14, class: 'chart-label' }, item.label),
        s('rect', { x: 0, y: y + 20, width: barSpace, height: 14, rx: 3, class: 'chart-track' }),
        s('rect', { x: 0, y: y + 20, width: bar, height: 14, rx: 3, class: 'chart-bar' }),
        s('text', { x: barSpace + 8, y: y + 32, class: 'chart-value' }, item.text ?? String(item.value)),
      ];
    }));
    // Room for the widest figure as rendered ("€60,000" must not be cut to "€60,00"): measured,
    // then drawn again once if it needed more than it had.
    const needed = Math.ceil(Math.max(0, ...[...svg.querySelectorAll('.chart-value')].map(widthOf))) + 12;
    if (needed > valueSpace) {
      valueSpace = needed;
      draw();
    }
  };
  draw();
  if ('ResizeObserver' in window) {
    let last = 0;
    new ResizeObserver((entries) => {
      const width = Math.floor(entries[0].contentRect.width);
      if (width && width !== last) { last = width; draw(); }
    }).observe(container);
  }
  return svg;
}

/** A ring filled to `ratio` (0..1), or an empty ring when there is no figure. */
export function ring(ratio, label) {
  const radius = 26;
  const circumference = 2 * Math.PI * radius;
  const filled = ratio == null ? 0 : Math.max(0, Math.min(1, ratio)) * circumference;
  return s('svg', { class: 'ring', width: 64, height: 64, viewBox: '0 0 64 64', role: 'img', 'aria-label': label },
    s('circle', { cx: 32, cy: 32, r: radius, class: 'ring-track' }),
    filled > 0 && s('circle', {
      cx: 32, cy: 32, r: radius, class: 'ring-fill',
      'stroke-dasharray': `${filled.toFixed(2)} ${circumference.toFixed(2)}`, transform: 'rotate(-90 32 32)',
    }));
}

function widthOf(text) {
  try { return text.getComputedTextLength(); } catch { return 0; }
}

function summary(data) {
  if (!data.length) return 'no data';
  return data.map((item) => `${item.label} ${item.text ?? item.value}`).join(', ');
}
