import type { AnalyticsSummary } from '../shared/admin-api-types.ts';
import { format, type Messages } from '../shared/i18n/index.ts';

type Day = AnalyticsSummary['byDay'][number];

const width = 640;
const height = 220;
const margin = { top: 16, right: 48, bottom: 28, left: 36 };

/**
 * Answers per day as stacked bars (answered, abstained) and the abstention rate as a line
 * on a 0–100% axis: hand-made SVG (no chart library), named by its title and described by
 * its desc; the same numbers follow in a table for anyone who cannot see the chart.
 */
export function DayChart({ messages, days }: { messages: Messages; days: Day[] }) {
  const t = messages.admin.insights;
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const most = Math.max(1, ...days.map((day) => day.answers));
  const step = plotWidth / Math.max(days.length, 1);
  const barWidth = Math.max(1, step * 0.7);
  const y = (count: number) => margin.top + plotHeight - (count / most) * plotHeight;
  const rateY = (rate: number) => margin.top + plotHeight - rate * plotHeight;
  const x = (index: number) => margin.left + index * step + (step - barWidth) / 2;
  const ratePoints = days
    .map((day, index) => (day.answers > 0 ? `${x(index) + barWidth / 2},${rateY(day.abstained / day.answers)}` : null))
    .filter((point): point is string => point !== null);
  const total = days.reduce((sum, day) => sum + day.answers, 0);
  const abstained = days.reduce((sum, day) => sum + day.abstained, 0);
  const labelEvery = Math.ceil(days.length / 7);

  return (
    <figure class="chart">
      <div class="chart-scroll">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="day-chart-title day-chart-desc" preserveAspectRatio="xMidYMid meet">
        <title id="day-chart-title">{t.chartTitle}</title>
        <desc id="day-chart-desc">{format(t.chartDesc, { days: days.length, answers: total, abstained, most })}</desc>
        <line class="axis" x1={margin.left} x2={width - margin.right} y1={margin.top + plotHeight} y2={margin.top + plotHeight} />
        <text class="tick" x={margin.left - 6} y={margin.top + 4} text-anchor="end">
          {most}
        </text>
        <text class="tick" x={margin.left - 6} y={margin.top + plotHeight} text-anchor="end">
          0
        </text>
        <text class="tick rate" x={width - 2} y={margin.top + 4} text-anchor="end">
          100%
        </text>
        {days.map((day, index) => (
          <g key={day.day}>
            <rect class="bar answered" x={x(index)} width={barWidth} y={y(day.answers)} height={Math.max(0, y(day.abstained) - y(day.answers))} />
            <rect class="bar abstained" x={x(index)} width={barWidth} y={y(day.abstained)} height={margin.top + plotHeight - y(day.abstained)} />
            {index % labelEvery === 0 && (
              <text class="tick" x={x(index) + barWidth / 2} y={height - 8} text-anchor="middle">
                {day.day.slice(5)}
              </text>
            )}
          </g>
        ))}
        {ratePoints.length > 1 && <polyline class="rate-line" points={ratePoints.join(' ')} />}
        {ratePoints.map((point) => {
          const [cx, cy] = point.split(',');
          return <circle key={point} class="rate-dot" cx={cx} cy={cy} r={3} />;
        })}
      </svg>
      </div>
      <figcaption>
        <span class="legend answered">{t.legendAnswered}</span>
        <span class="legend abstained">{t.legendAbstained}</span>
        <span class="legend rate">{t.legendRate}</span>
      </figcaption>
      <details>
        <summary>{t.chartTable}</summary>
        <div class="table-scroll">
          <table>
            <caption>{t.chartTitle}</caption>
            <thead>
              <tr>
                <th scope="col">{t.day}</th>
                <th scope="col">{t.answers}</th>
                <th scope="col">{t.abstainedCount}</th>
                <th scope="col">{t.abstentionRate}</th>
              </tr>
            </thead>
            <tbody>
              {days.map((day) => (
                <tr key={day.day}>
                  <th scope="row">{day.day}</th>
                  <td>{day.answers}</td>
                  <td>{day.abstained}</td>
                  <td>{day.answers === 0 ? '—' : `${Math.round((day.abstained / day.answers) * 100)}%`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
