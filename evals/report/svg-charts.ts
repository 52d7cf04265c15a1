import { escapeHtml } from './format.ts';

/**
 * Small bar charts drawn as inline SVG strings, so the HTML report needs no script or
 * network to show them. Sizes are in viewBox units; CSS scales the SVG to its column.
 */

export interface Bar {
  value: number;
  /** Hover text (an SVG `<title>`). */
  tooltip: string;
  color?: string;
}

export interface ColumnChartInput {
  ariaLabel: string;
  bars: Bar[];
  /**
   * Labels under the x axis: one per bar (centred under it), or one more than the
   * bars for a histogram (placed on the bin edges).
   */
  xLabels: string[];
  xTitle: string;
  yTitle: string;
}

export interface BarChartInput {
  ariaLabel: string;
  /** One horizontal bar per category, with its label on the left. */
  bars: Array<Bar & { label: string }>;
  xTitle: string;
}

const width = 480;
const defaultColor = '#2563eb';
const gridColor = '#e5e7eb';
const axisColor = '#9ca3af';
const textColor = '#4b5563';
/** Rough width of one character of the 11px axis font, to keep labels from overlapping. */
const characterWidth = 6.2;

/** Vertical bars over a category or binned axis, with count ticks on the left. */
export function columnChartSvg(input: ColumnChartInput): string {
  const margin = { top: 16, right: 22, bottom: 46, left: 44 };
  const height = 250;
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const ticks = countTicks(Math.max(0, ...input.bars.map((bar) => bar.value)));
  const top = ticks[ticks.length - 1]!;
  const y = (value: number) => margin.top + plotHeight - (value / top) * plotHeight;
  const slot = plotWidth / Math.max(1, input.bars.length);
  const onEdges = input.xLabels.length === input.bars.length + 1;

  const grid = ticks.map((tick) => {
    const at = y(tick);
    return (
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${at}" y2="${at}" stroke="${gridColor}"/>` +
      `<text x="${margin.left - 6}" y="${at + 4}" text-anchor="end">${tick}</text>`
    );
  });
  const bars = input.bars.map((bar, index) => {
    if (bar.value <= 0) return '';
    const gap = onEdges ? 1 : slot * 0.2;
    const x = margin.left + index * slot + gap / 2;
    const barTop = y(bar.value);
    return (
      `<rect x="${round(x)}" y="${round(barTop)}" width="${round(slot - gap)}" height="${round(y(0) - barTop)}" ` +
      `fill="${bar.color ?? defaultColor}" rx="1.5"><title>${escapeHtml(bar.tooltip)}</title></rect>` +
      `<text x="${round(x + (slot - gap) / 2)}" y="${round(barTop - 4)}" text-anchor="middle" class="value">${bar.value}</text>`
    );
  });
  const labelStep = Math.max(1, Math.ceil((Math.max(...input.xLabels.map((label) => label.length), 1) * characterWidth + 6) / slot));
  const xLabels = input.xLabels.map((label, index) => {
    if (index % labelStep !== 0 && index !== input.xLabels.length - 1) return '';
    const x = margin.left + (onEdges ? index * slot : (index + 0.5) * slot);
    return `<text x="${round(x)}" y="${y(0) + 16}" text-anchor="middle">${escapeHtml(label)}</text>`;
  });
  const axes =
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(0)}" y2="${y(0)}" stroke="${axisColor}"/>` +
    `<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" class="axis-title">${escapeHtml(input.xTitle)}</text>` +
    `<text transform="translate(12 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" class="axis-title">${escapeHtml(input.yTitle)}</text>`;
  const empty = input.bars.every((bar) => bar.value <= 0) ? noData(margin.left + plotWidth / 2, margin.top + plotHeight / 2) : '';
  return svg(input.ariaLabel, height, [...grid, axes, ...bars, ...xLabels, empty].join(''));
}

/** Horizontal bars for named categories, with value ticks along the bottom. */
export function barChartSvg(input: BarChartInput): string {
  const rowHeight = 30;
  const margin = { top: 10, right: 36, bottom: 40, left: 160 };
  const height = margin.top + rowHeight * input.bars.length + margin.bottom;
  const plotWidth = width - margin.left - margin.right;
  const plotBottom = height - margin.bottom;
  const ticks = countTicks(Math.max(0, ...input.bars.map((bar) => bar.value)));
  const top = ticks[ticks.length - 1]!;
  const x = (value: number) => margin.left + (value / top) * plotWidth;

  const grid = ticks.map(
    (tick) =>
      `<line x1="${round(x(tick))}" x2="${round(x(tick))}" y1="${margin.top}" y2="${plotBottom}" stroke="${gridColor}"/>` +
      `<text x="${round(x(tick))}" y="${plotBottom + 16}" text-anchor="middle">${tick}</text>`,
  );
  const bars = input.bars.map((bar, index) => {
    const rowTop = margin.top + index * rowHeight;
    const middle = rowTop + rowHeight / 2;
    const label = `<text x="${margin.left - 8}" y="${middle + 4}" text-anchor="end">${escapeHtml(bar.label)}</text>`;
    const value = `<text x="${round(x(bar.value) + 6)}" y="${middle + 4}" class="value">${bar.value}</text>`;
    if (bar.value <= 0) return label + value;
    return (
      label +
      `<rect x="${margin.left}" y="${rowTop + 6}" width="${round(x(bar.value) - margin.left)}" height="${rowHeight - 12}" ` +
      `fill="${bar.color ?? defaultColor}" rx="2"><title>${escapeHtml(bar.tooltip)}</title></rect>` +
      value
    );
  });
  const axes =
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${plotBottom}" stroke="${axisColor}"/>` +
    `<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" class="axis-title">${escapeHtml(input.xTitle)}</text>`;
  return svg(input.ariaLabel, height, [...grid, axes, ...bars].join(''));
}

export interface LineChartInput {
  ariaLabel: string;
  /** Points in [0,1]², drawn in order and joined. */
  points: Array<{ x: number; y: number; tooltip: string }>;
  xTitle: string;
  yTitle: string;
}

/** A line over the unit square, with ticks at 0, 0.25 … 1 on both axes (a share against a share). */
export function unitLineChartSvg(input: LineChartInput): string {
  const margin = { top: 16, right: 22, bottom: 46, left: 44 };
  const height = 250;
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (value: number) => round(margin.left + value * plotWidth);
  const y = (value: number) => round(margin.top + plotHeight - value * plotHeight);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const grid = ticks.map(
    (tick) =>
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="${gridColor}"/>` +
      `<text x="${margin.left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>` +
      `<text x="${x(tick)}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${tick}</text>`,
  );
  const axes =
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="${axisColor}"/>` +
    `<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" class="axis-title">${escapeHtml(input.xTitle)}</text>` +
    `<text transform="translate(12 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" class="axis-title">${escapeHtml(input.yTitle)}</text>`;
  if (input.points.length === 0) return svg(input.ariaLabel, height, [...grid, axes, noData(margin.left + plotWidth / 2, margin.top + plotHeight / 2)].join(''));
  const line = `<polyline fill="none" stroke="${defaultColor}" stroke-width="2" points="${input.points.map((point) => `${x(point.x)},${y(point.y)}`).join(' ')}"/>`;
  const dots = input.points.map(
    (point) => `<circle cx="${x(point.x)}" cy="${y(point.y)}" r="3" fill="${defaultColor}"><title>${escapeHtml(point.tooltip)}</title></circle>`,
  );
  return svg(input.ariaLabel, height, [...grid, axes, line, ...dots].join(''));
}

function svg(ariaLabel: string, height: number, content: string): string {
  return (
    `<svg role="img" aria-label="${escapeHtml(ariaLabel)}" viewBox="0 0 ${width} ${height}" ` +
    `preserveAspectRatio="xMidYMid meet" fill="${textColor}">${content}</svg>`
  );
}

function noData(x: number, y: number): string {
  return `<text x="${x}" y="${y}" text-anchor="middle" class="no-data">No data</text>`;
}

/** Integer ticks from 0 covering `max` in 1-2-5 steps, about four of them. */
export function countTicks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const step = niceStep(Math.max(1, max / 4));
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= top; tick += step) ticks.push(tick);
  return ticks;
}

/** The smallest of 1, 2, 5 × 10ⁿ that is at least `rough`. */
export function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const multiple = [1, 2, 5, 10].find((candidate) => candidate * power >= rough - 1e-9) ?? 10;
  return multiple * power;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
