/** The console's HTML shell: no data in it; the scripts (compiled from src/ui/app/) fetch everything. */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>pgcdc console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/console.css">
</head>
<body>
<header class="bar">
  <a class="brand" href="#/"><span class="logo" aria-hidden="true">◆</span> pgcdc console</a>
  <span id="worker" class="muted"></span>
  <span class="spacer"></span>
  <span id="live" class="live" role="status"></span>
  <button id="signout" type="button" class="btn small" hidden>Sign out</button>
</header>
<div id="banner" class="banner" role="alert" hidden></div>
<main id="main"><p class="muted">Loading…</p></main>
<noscript><p class="note error">The console needs JavaScript. The same figures are in GET /connectors?expand=status.</p></noscript>
<script type="module" src="/ui/assets/main.js"></script>
</body>
</html>
`;
