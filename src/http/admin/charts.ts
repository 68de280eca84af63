// Server-rendered SVG charts for the admin pages: no script, no external asset, nothing the strict CSP
// would block (colours are presentation attributes, not style). A stacked bar chart is all the overview
// needs; its legend is HTML beside it, so it stays legible when the SVG is scaled down to a phone's width.
// (The developers' guide prefers a well-kept library; none is installed, see the README.)
import { html, type SafeHtml } from './html.js';

export interface ChartSeries {
  key: string;
  label: string;
  /** A CSS colour literal (#rrggbb): validated, since it lands in an attribute. */
  color: string;
}

export interface ChartBar {
  /** Full label, in the bar's tooltip and the text alternative. */
  label: string;
  /** Short label under the bar; shown only where set (e.g. every sixth hour). */
  tick?: string;
  values: Record<string, number>;
}

export interface BarChartOptions {
  id: string;
  title: string;
  series: readonly ChartSeries[];
  bars: readonly ChartBar[];
  /** Shown with the maximum, e.g. "deliveries". */
  unit: string;
}

/** viewBox units; the SVG scales to its container's width. Text sizes are chosen to stay ≥ 10 px at 390 px. */
export const CHART_WIDTH = 480;
export const CHART_HEIGHT = 200;
const PAD_LEFT = 34;
const PAD_RIGHT = 6;
const PAD_TOP = 12;
const PAD_BOTTOM = 26;
const FONT_SIZE = 13;
const BAR_GAP_RATIO = 0.2;
const MAX_BARS = 400;
const COLOR = /^#[0-9a-fA-F]{3,8}$/;

function safeColor(color: string): string {
  return COLOR.test(color) ? color : '#888888';
}

/** Rounded up to 1, 2 or 5 × 10^n, so the axis label reads well. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function total(bar: ChartBar, series: readonly ChartSeries[]): number {
  return series.reduce((sum, s) => sum + Math.max(0, Number(bar.values[s.key]) || 0), 0);
}

export function stackedBarChart(options: BarChartOptions): SafeHtml {
  const bars = options.bars.slice(-MAX_BARS);
  const { series } = options;
  const peak = Math.max(0, ...bars.map((b) => total(b, series)));
  const top = niceMax(peak);
  const plotWidth = CHART_WIDTH - PAD_LEFT - PAD_RIGHT;
  const plotHeight = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM;
  const slot = bars.length > 0 ? plotWidth / bars.length : plotWidth;
  const barWidth = Math.max(1, slot * (1 - BAR_GAP_RATIO));
  const baseline = PAD_TOP + plotHeight;
  const y = (value: number) => round(baseline - (value / top) * plotHeight);

  const rects = bars.map((bar, i) => {
    const x = round(PAD_LEFT + i * slot + (slot - barWidth) / 2);
    let stacked = 0;
    const parts = series.map((s) => {
      const value = Math.max(0, Number(bar.values[s.key]) || 0);
      if (value === 0) return html``;
      const from = stacked;
      stacked += value;
      return html`<rect x="${x}" y="${y(stacked)}" width="${round(barWidth)}" height="${round(y(from) - y(stacked))}" fill="${safeColor(s.color)}" data-series="${s.key}" data-value="${value}"></rect>`;
    });
    const tip = `${bar.label}: ${series.map((s) => `${s.label} ${Math.max(0, Number(bar.values[s.key]) || 0)}`).join(', ')}`;
    const tick = bar.tick
      ? html`<text x="${round(PAD_LEFT + i * slot + slot / 2)}" y="${CHART_HEIGHT - 8}" text-anchor="middle" font-size="${FONT_SIZE}" fill="#5d6678">${bar.tick}</text>`
      : html``;
    return html`<g class="bar" data-label="${bar.label}"><title>${tip}</title>${parts}</g>${tick}`;
  });

  const summary =
    bars.length === 0
      ? 'No data yet.'
      : `${bars.length} bars from ${bars[0]!.label} to ${bars[bars.length - 1]!.label}; highest ${peak} ${options.unit}. ` +
        series.map((s) => `${s.label}: ${bars.reduce((n, b) => n + Math.max(0, Number(b.values[s.key]) || 0), 0)}`).join(', ') +
        '.';
  const legend = series.map((s) => html`<span class="key"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${safeColor(s.color)}"></rect></svg>${s.label}</span>`);
  return html`<figure class="chart" id="${options.id}">
<figcaption><b>${options.title}</b> <span class="legend">${legend}</span></figcaption>
<svg viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" width="100%" role="img" aria-labelledby="${options.id}-t ${options.id}-d" preserveAspectRatio="xMidYMid meet">
<title id="${options.id}-t">${options.title}</title><desc id="${options.id}-d">${summary}</desc>
<line x1="${PAD_LEFT}" y1="${PAD_TOP}" x2="${CHART_WIDTH - PAD_RIGHT}" y2="${PAD_TOP}" stroke="#dfe3ea"></line>
<line x1="${PAD_LEFT}" y1="${y(top / 2)}" x2="${CHART_WIDTH - PAD_RIGHT}" y2="${y(top / 2)}" stroke="#dfe3ea"></line>
<line x1="${PAD_LEFT}" y1="${baseline}" x2="${CHART_WIDTH - PAD_RIGHT}" y2="${baseline}" stroke="#8b95a8"></line>
<text x="${PAD_LEFT - 4}" y="${PAD_TOP + 4}" text-anchor="end" font-size="${FONT_SIZE}" fill="#5d6678">${top}</text>
${Number.isInteger(top / 2) ? html`<text x="${PAD_LEFT - 4}" y="${y(top / 2) + 4}" text-anchor="end" font-size="${FONT_SIZE}" fill="#5d6678">${top / 2}</text>` : html``}
<text x="${PAD_LEFT - 4}" y="${baseline + 4}" text-anchor="end" font-size="${FONT_SIZE}" fill="#5d6678">0</text>
${rects}
${bars.length === 0 || peak === 0 ? html`<text x="${PAD_LEFT + plotWidth / 2}" y="${PAD_TOP + plotHeight / 2}" text-anchor="middle" font-size="${FONT_SIZE}" fill="#5d6678">nothing in this period</text>` : html``}
</svg>
</figure>`;
}
