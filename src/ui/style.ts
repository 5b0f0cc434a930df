/** The console's style sheet (served as /ui/assets/console.css). Light and dark, usable at phone width. */
export const CONSOLE_CSS = `
:root {
  --bg: #f5f6f8; --card: #fff; --fg: #1d2433; --muted: #5f6b7a; --line: #e2e6eb; --accent: #2f6fdf;
  --ok: #1a7f37; --ok-bg: #dcf5e3; --warn: #9a6700; --warn-bg: #fff1c7; --bad: #c62828; --bad-bg: #fde2e1;
  --idle: #57606a; --idle-bg: #eaeef2; --chart: #2f6fdf; --chart-fill: rgba(47, 111, 223, 0.12);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f141a; --card: #171d25; --fg: #e6edf3; --muted: #9aa6b2; --line: #2b333d; --accent: #6ea8fe;
    --ok: #56d364; --ok-bg: #12361d; --warn: #e3b341; --warn-bg: #3a2d09; --bad: #ff7b72; --bad-bg: #43181a;
    --idle: #9aa6b2; --idle-bg: #252c35; --chart: #6ea8fe; --chart-fill: rgba(110, 168, 254, 0.15);
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
h2 { font-size: 1rem; margin: 0 0 .75rem; }
h3 { font-size: .9rem; margin: 1rem 0 .5rem; }
.bar { display: flex; align-items: center; gap: .75rem; padding: .6rem 1.25rem; background: var(--card); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; flex-wrap: wrap; }
.brand { font-weight: 650; color: var(--fg); font-size: 1.05rem; }
.logo { color: var(--accent); }
.spacer { flex: 1; }
.muted { color: var(--muted); }
.live { color: var(--muted); font-size: .85rem; display: inline-flex; align-items: center; gap: .35rem; }
.live .dot { width: .55rem; height: .55rem; border-radius: 50%; background: var(--ok); display: inline-block; }
.live.stale { color: var(--bad); }
.banner { margin: 0; padding: .6rem 1.25rem; background: var(--bad-bg); color: var(--bad); border-bottom: 1px solid var(--line); }
main { padding: 1.25rem; max-width: 1280px; margin: 0 auto; }
.summary { color: var(--muted); margin: 0 0 1rem; }
.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: .55rem .75rem; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }
tbody tr:last-child td { border-bottom: none; }
th { font-size: .8rem; color: var(--muted); font-weight: 600; background: var(--card); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
table.overview td:first-child, table.overview th:first-child { position: sticky; left: 0; background: var(--card); }
table.overview tr.row-bad td { background: color-mix(in srgb, var(--bad-bg) 45%, var(--card)); }
table.overview tr.row-warn td { background: color-mix(in srgb, var(--warn-bg) 45%, var(--card)); }
.sort { all: unset; cursor: pointer; }
.sort:focus-visible { outline: 2px solid var(--accent); }
th.num .sort { text-align: right; }
.cname { font-weight: 600; }
.err { color: var(--bad); max-width: 22rem; overflow: hidden; text-overflow: ellipsis; display: inline-block; vertical-align: bottom; }
.badge { display: inline-flex; align-items: center; gap: .2rem; padding: .1rem .55rem; border-radius: 999px; font-size: .78rem; font-weight: 650; letter-spacing: .02em; }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); }
.badge.idle { color: var(--idle); background: var(--idle-bg); }
.alert-chip { color: var(--warn); font-weight: 600; }
.ok-text { color: var(--ok); } .warn-text { color: var(--warn); font-weight: 600; } .bad-text { color: var(--bad); font-weight: 600; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.1rem; margin-bottom: 1rem; }
.note { margin: .25rem 0; color: var(--muted); }
.note.error { color: var(--bad); }
.crumbs { margin: 0 0 .5rem; }
.title-row { display: flex; align-items: center; gap: .75rem; flex-wrap: wrap; margin-bottom: .5rem; }
.title-row h1 { margin: 0; word-break: break-all; }
.actions { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin-bottom: 1rem; }
.action-msg { margin: 0 0 0 .5rem; color: var(--muted); }
.btn { font: inherit; padding: .4rem .9rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--fg); cursor: pointer; }
.btn:hover:not(:disabled) { border-color: var(--accent); }
.btn.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
.btn:disabled { opacity: .45; cursor: default; }
.btn.small { padding: .2rem .6rem; font-size: .85rem; }
.trace { border-radius: 8px; padding: .6rem .9rem; margin-bottom: 1rem; }
.trace.bad { background: var(--bad-bg); color: var(--bad); }
.trace.warn { background: var(--warn-bg); color: var(--warn); }
.trace summary { cursor: pointer; font-weight: 600; }
.trace pre { white-space: pre-wrap; word-break: break-word; font-size: .8rem; margin: .5rem 0 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.figure { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; display: flex; flex-direction: column; }
.flabel { font-size: .78rem; color: var(--muted); }
.fvalue { font-size: 1.35rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.fextra { font-size: .78rem; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1rem 1.5rem; }
.chart { margin: 0; }
.chart figcaption { display: flex; justify-content: space-between; font-size: .85rem; margin-bottom: .25rem; }
.ctitle { font-weight: 600; }
.cnow { font-variant-numeric: tabular-nums; color: var(--muted); }
.plot { position: relative; height: 130px; border-left: 1px solid var(--line); border-bottom: 1px solid var(--line); }
.plot-svg { width: 100%; height: 100%; display: block; }
.plot .grid { stroke: var(--line); stroke-width: 1; }
.plot .line { fill: none; stroke: var(--chart); stroke-width: 2; stroke-linejoin: round; }
.plot .area { fill: var(--chart-fill); stroke: none; }
.plot .threshold { stroke: var(--bad); stroke-width: 1.5; stroke-dasharray: 6 4; }
.ymax { position: absolute; top: 2px; left: 6px; font-size: .72rem; color: var(--muted); background: var(--card); padding: 0 .2rem; }
.tlabel { position: absolute; right: 4px; transform: translateY(-110%); font-size: .72rem; color: var(--bad); background: var(--card); padding: 0 .2rem; }
.nodata { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; color: var(--muted); font-size: .8rem; text-align: center; padding: 1rem; }
.xaxis { display: flex; justify-content: space-between; font-size: .72rem; color: var(--muted); margin-top: .2rem; }
.active-alerts { list-style: none; padding: 0; margin: 0 0 .75rem; }
.active-alerts li { padding: .45rem .7rem; border-radius: 6px; margin-bottom: .35rem; }
.active-alerts li.firing { background: var(--warn-bg); color: var(--warn); }
.active-alerts li.pending { background: var(--idle-bg); }
table.list th, table.list td { padding: .4rem .6rem; }
.progress { margin: .25rem 0 .75rem; }
.progress-head { display: flex; justify-content: space-between; font-weight: 600; }
.pbar { height: .6rem; background: var(--idle-bg); border-radius: 999px; overflow: hidden; margin: .3rem 0; }
.bar-fill { height: 100%; background: var(--accent); border-radius: 999px; }
.progress-detail { font-size: .82rem; color: var(--muted); }
.table-bars { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 0 1.25rem; margin-top: .5rem; }
.table-bars .progress-head { font-weight: 500; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .82rem; }
.sc-pending { border-left: 3px solid var(--warn); padding: .25rem 0 .25rem .75rem; }
.sc-changes, .sc-verdicts { margin: .25rem 0 .5rem; padding-left: 1.25rem; }
.sc-changes li.breaking strong { color: var(--bad); } .sc-changes li.additive strong { color: var(--ok); }
.sc-pending .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-top: .5rem; }
.confirm-q { flex-basis: 100%; font-weight: 600; }
.btn.danger { background: var(--bad); color: #fff; border-color: var(--bad); }
.mono, .subject { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .82rem; }
.ver { color: var(--ok); font-family: inherit; }
.login { max-width: 30rem; margin: 2rem auto; }
.login-form { display: flex; flex-direction: column; gap: .4rem; margin: .75rem 0; }
.login-form input { font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
.login-form .btn { align-self: flex-start; margin-top: .25rem; }
@media (max-width: 640px) {
  main { padding: .75rem; }
  .bar { padding: .5rem .75rem; }
  .charts { grid-template-columns: 1fr; }
  .figures { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .charts { grid-template-columns: minmax(0, 1fr); }
  .fvalue { font-size: 1.1rem; }
}
`;
