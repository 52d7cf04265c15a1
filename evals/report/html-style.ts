/**
 * The HTML report's stylesheet, inlined so the file opens offline. System fonts only,
 * with CJK fallbacks so Chinese questions and answers render on every desktop.
 */
export const reportStyle = `
:root {
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
    "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "Noto Sans Mono CJK SC", monospace;
  --text: #111827; --muted: #6b7280; --border: #e5e7eb; --panel: #f9fafb; --page: #f3f4f6;
  --good: #15803d; --good-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2; --accent: #2563eb;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--page); color: var(--text); font: 14px/1.5 var(--font); }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 12px; }
h3 { font-size: 15px; margin: 0 0 8px; }
h4 { font-size: 12px; margin: 12px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
h4:first-child { margin-top: 0; }
code { font-family: var(--mono); font-size: 12.5px; }
.box { background: #fff; border: 1px solid var(--border); border-radius: 8px; padding: 16px; }
.subtitle { color: var(--muted); margin: 0 0 16px; }
.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px 24px; margin: 0; }
.meta div { min-width: 0; }
.meta dt { font-size: 12px; color: var(--muted); }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.verdict { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 16px; }
.pill { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12.5px; font-weight: 600;
  background: var(--panel); border: 1px solid var(--border); }
.pill.pass { background: var(--good-bg); color: var(--good); border-color: transparent; }
.pill.fail { background: var(--bad-bg); color: var(--bad); border-color: transparent; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--border); border-radius: 8px; padding: 12px 14px; }
.card.regressed { border-color: var(--bad); box-shadow: inset 3px 0 0 var(--bad); }
.card.gate-failed { border-color: var(--bad); }
.card-label { font-size: 12.5px; font-weight: 600; }
.card-key { display: block; font: 11px var(--mono); color: var(--muted); }
.card-value { font-size: 26px; font-weight: 650; margin: 6px 0 2px; font-variant-numeric: tabular-nums; }
.card-value.missing { color: var(--muted); }
.delta { font-size: 12.5px; white-space: nowrap; font-variant-numeric: tabular-nums; color: var(--muted); }
.delta.better { color: var(--good); }
.delta.worse { color: var(--bad); }
.delta .tag { font-weight: 700; text-transform: uppercase; font-size: 10.5px; margin-left: 4px; }
.baseline { font-size: 11.5px; color: var(--muted); font-variant-numeric: tabular-nums; }
.gate { margin-top: 8px; padding-top: 6px; border-top: 1px solid var(--border); font-size: 11.5px; display: flex;
  align-items: center; justify-content: space-between; gap: 4px; white-space: nowrap; }
.gate .pill { padding: 0 8px; font-size: 11px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
figure.chart { margin: 0; background: #fff; border: 1px solid var(--border); border-radius: 8px; padding: 16px; }
figure.chart svg { display: block; width: 100%; height: auto; max-height: 320px; }
figure.chart text { font-size: 11px; }
figure.chart text.value { font-size: 10.5px; font-weight: 600; fill: var(--text); }
figure.chart text.axis-title { font-size: 11.5px; fill: var(--muted); }
figure.chart text.no-data { font-size: 14px; fill: var(--muted); }
figcaption { color: var(--muted); font-size: 12.5px; margin-top: 8px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--panel); }
td:first-child { white-space: nowrap; }
td.number { font-variant-numeric: tabular-nums; white-space: nowrap; }
.table-box { border: 1px solid var(--border); border-radius: 8px; overflow: hidden; }
.comparison { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.filters { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 12px; }
.filters button { font: inherit; font-size: 12.5px; padding: 3px 12px; border-radius: 999px; cursor: pointer;
  border: 1px solid var(--border); background: #fff; color: var(--text); }
.filters button[aria-pressed="true"] { background: var(--text); color: #fff; border-color: var(--text); }
.filters input { font: inherit; font-size: 13px; padding: 4px 10px; border: 1px solid var(--border); border-radius: 6px;
  margin-left: auto; flex: 0 1 240px; min-width: 140px; }
.case { background: #fff; border: 1px solid var(--border); border-left: 4px solid var(--kind-color, var(--bad));
  border-radius: 8px; padding: 14px 16px; margin-bottom: 14px; }
.case > header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 10px; }
.case > header h3 { margin: 0; }
.badge { display: inline-block; white-space: nowrap; padding: 1px 8px; border-radius: 4px; font-size: 12px; font-weight: 600; color: #fff;
  background: var(--kind-color, var(--bad)); }
.chip { font-size: 12px; color: var(--muted); border: 1px solid var(--border); border-radius: 4px; padding: 0 6px; }
.case-grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 10px 12px; min-width: 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
.question { font-weight: 600; }
.history { margin: 0 0 8px; padding-left: 18px; color: var(--muted); font-size: 13px; }
.note { color: var(--muted); font-style: italic; }
.error-text { color: var(--bad); font-family: var(--mono); font-size: 12.5px; white-space: pre-wrap; overflow-wrap: anywhere; }
.citations, .sources { list-style: none; margin: 0; padding: 0; }
.citations li, .sources li { padding: 5px 0; border-top: 1px dashed var(--border); overflow-wrap: anywhere; }
.citations li:first-child, .sources li:first-child { border-top: 0; }
.sources.ranked { list-style: decimal; padding-left: 22px; color: var(--muted); font-size: 12px; }
.snippet { display: block; color: var(--muted); font-size: 12.5px; white-space: pre-wrap; }
.ok { color: var(--good); font-weight: 700; }
.no { color: var(--bad); font-weight: 700; }
.mark { font-size: 11px; border-radius: 4px; padding: 0 5px; margin-left: 4px; background: var(--border); color: var(--muted); }
.mark.yes { background: var(--good-bg); color: var(--good); }
.case-metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(84px, 1fr)); gap: 6px 8px; margin: 10px 0 0;
  padding-top: 10px; border-top: 1px solid var(--border); }
.case-metrics dt { color: var(--muted); font-size: 11px; white-space: nowrap; }
.case-metrics dd { margin: 0; font-size: 13px; font-variant-numeric: tabular-nums; font-weight: 600; }
.empty { background: #fff; border: 1px dashed var(--border); border-radius: 8px; padding: 16px; color: var(--muted); }
details summary { cursor: pointer; font-weight: 600; margin-bottom: 8px; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; text-align: center; }
@media (max-width: 900px) { .case-grid { grid-template-columns: 1fr; } }
@media print {
  body { background: #fff; }
  .filters { display: none; }
  .case[hidden] { display: block !important; }
  .case, figure.chart, .card { break-inside: avoid; }
}
`;
