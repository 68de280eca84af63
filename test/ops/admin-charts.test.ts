// The SVG bar chart of the admin overview: bars in proportion, stacked in series order, escaped labels,
// a text alternative, and nothing a strict CSP would block (no script, no style attribute, no URL).
import { describe, expect, it } from 'vitest';
import { CHART_HEIGHT, niceMax, stackedBarChart } from '../../src/http/admin/charts.js';

const series = [
  { key: 'processed', label: 'processed', color: '#18794e' },
  { key: 'refused', label: 'refused', color: '#b42318' },
];

function rects(svg: string) {
  return [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="([^"]+)" data-series="(\w+)" data-value="(\d+)">/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    height: Number(m[4]),
    series: m[6],
    value: Number(m[7]),
  }));
}

describe('niceMax', () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [12, 20],
    [260, 500],
  ])('%d → %d', (v, expected) => expect(niceMax(v)).toBe(expected));
});

describe('stackedBarChart', () => {
  it('draws heights in proportion, stacked in series order, one group per bar', () => {
    const svg = stackedBarChart({
      id: 'c',
      title: 'Deliveries',
      unit: 'deliveries',
      series,
      bars: [
        { label: '10:00', tick: '10', values: { processed: 4, refused: 1 } },
        { label: '11:00', values: { processed: 2, refused: 0 } },
        { label: '12:00', values: {} },
      ],
    }).value;
    const drawn = rects(svg);
    expect(drawn.map((r) => [r.series, r.value])).toEqual([
      ['processed', 4],
      ['refused', 1],
      ['processed', 2],
    ]);
    // Scale: top of axis is 5 (niceMax of 5); heights proportional to values.
    const unit = drawn[0]!.height / 4;
    expect(drawn[1]!.height).toBeCloseTo(unit, 0);
    expect(drawn[2]!.height).toBeCloseTo(unit * 2, 0);
    // The refused part sits on top of the processed part.
    expect(drawn[1]!.y + drawn[1]!.height).toBeCloseTo(drawn[0]!.y, 0);
    // Bars go left to right.
    expect(drawn[2]!.x).toBeGreaterThan(drawn[0]!.x);
    expect((svg.match(/<g class="bar"/g) ?? []).length).toBe(3);
    expect(drawn.every((r) => r.y >= 0 && r.y + r.height <= CHART_HEIGHT)).toBe(true);
    expect(svg).toContain('<title>10:00: processed 4, refused 1</title>');
    expect(svg).toMatch(/<desc id="c-d">3 bars from 10:00 to 12:00; highest 5 deliveries\. processed: 6, refused: 1\.<\/desc>/);
  });

  it('escapes labels, refuses colours that are not colour literals, and has no script or style', () => {
    const svg = stackedBarChart({
      id: 'x',
      title: '<script>alert(1)</script>',
      unit: 'n',
      series: [{ key: 'a', label: '"><img src=x>', color: 'red;background:url(http://evil)' }],
      bars: [{ label: '<b>', tick: '<i>', values: { a: 1 } }],
    }).value;
    expect(svg).not.toMatch(/<script|<img|<i>|style=|url\(/);
    expect(svg).toContain('data-label="&lt;b&gt;"');
    expect(svg).toContain('fill="#888888"');
  });

  it('says so when there is nothing to draw', () => {
    const svg = stackedBarChart({ id: 'e', title: 'Backlog', unit: 'rows', series, bars: [] }).value;
    expect(rects(svg)).toEqual([]);
    expect(svg).toContain('nothing in this period');
    expect(svg).toContain('No data yet.');
  });
});
