/// The console's stylesheet and script, compiled into the binary so the console needs no files, no CDN
/// and no build step. Both are served from `/static/`; the Content-Security-Policy allows nothing else.
enum ConsoleAssets {
    static let css = """
        :root {
          color-scheme: light dark;
          --bg: #f7f7f8; --fg: #1d1d1f; --muted: #6b6b73; --card: #ffffff; --line: #dcdce0;
          --accent: #3556c8; --bad: #b3261e; --good: #1e7a3c; --warn: #a05a00;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #16171a; --fg: #e8e8ec; --muted: #a0a0aa; --card: #212227; --line: #3a3b42;
            --accent: #8aa4ff; --bad: #ff8a80; --good: #7ddc95; --warn: #ffc069;
          }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg);
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        header { background: var(--card); border-bottom: 1px solid var(--line); padding: .5rem 1rem;
          display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
        header .brand { font-weight: 700; margin-right: .5rem; }
        header nav { display: flex; flex-wrap: wrap; gap: .25rem .9rem; }
        header nav a[aria-current="page"] { font-weight: 700; text-decoration: underline; }
        header .session { margin-left: auto; display: flex; gap: .5rem; align-items: center; color: var(--muted); }
        main { padding: 1rem; max-width: 80rem; margin: 0 auto; }
        a { color: var(--accent); }
        h1 { font-size: 1.4rem; margin: .25rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
        section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem;
          margin-bottom: 1rem; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; white-space: nowrap; }
        td.num, th.num { text-align: right; }
        td.id { white-space: nowrap; font-family: ui-monospace, monospace; font-size: .9em; }
        td.wrap { word-break: break-word; }
        .muted { color: var(--muted); }
        .notice { border-left: 4px solid var(--warn); padding: .4rem .75rem; background: var(--card); margin: .5rem 0; }
        .error { border-left: 4px solid var(--bad); padding: .4rem .75rem; background: var(--card); margin: .5rem 0; }
        .ok { border-left: 4px solid var(--good); padding: .4rem .75rem; background: var(--card); margin: .5rem 0; }
        .state-discarded, .state-failed, .status-invalid { color: var(--bad); font-weight: 600; }
        .state-completed, .state-ready, .status-active { color: var(--good); }
        form.inline { display: inline; }
        form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
        form.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
        input, select, button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line);
          border-radius: 6px; padding: .3rem .5rem; }
        button { cursor: pointer; background: var(--accent); color: #fff; border-color: var(--accent); }
        button.secondary { background: transparent; color: var(--accent); }
        button.danger { background: var(--bad); border-color: var(--bad); }
        pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .5rem; overflow-x: auto;
          white-space: pre-wrap; word-break: break-word; }
        .chart svg { width: 100%; height: auto; border-radius: 6px; }
        svg.sparkline { width: 100%; max-width: 40rem; height: 60px; }
        svg.sparkline polyline { fill: none; stroke: var(--accent); stroke-width: 2; }
        meter { width: 10rem; max-width: 100%; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; word-break: break-word; }
        .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 1rem; margin: .5rem 0 1rem; }
        a.figure { display: flex; flex-direction: column; gap: .15rem; padding: .75rem 1rem; border: 1px solid var(--line);
          border-radius: 8px; text-decoration: none; color: var(--fg); }
        a.figure strong { font-size: 1.6rem; font-variant-numeric: tabular-nums; }
        a.figure:hover { border-color: var(--accent); }
        .up { color: var(--good); }
        .down { color: var(--bad); }
        h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
        svg.split { width: 100%; height: 14px; border-radius: 4px; display: block; margin: .25rem 0 .5rem; }
        .reports { display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 1rem; }
        .reports form { display: flex; flex-direction: column; gap: .4rem; }
        .reports label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
        @media (max-width: 40rem) {
          main { padding: .5rem; }
          th, td { padding: .25rem .35rem; }
          header .session { margin-left: 0; }
        }
        """

    /// Progressive enhancement only: every page works without it. Elements marked `data-live` are
    /// refreshed from the same URL every few seconds while the page is visible.
    static let js = """
        "use strict";
        (function () {
          var live = document.querySelectorAll("[data-live]");
          if (live.length === 0 || !window.fetch || !window.DOMParser) { return; }
          var status = document.getElementById("live-status");
          function refresh() {
            if (document.hidden) { return; }
            fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
              .then(function (response) {
                if (!response.ok) { throw new Error("HTTP " + response.status); }
                return response.text();
              })
              .then(function (text) {
                var fresh = new DOMParser().parseFromString(text, "text/html");
                document.querySelectorAll("[data-live]").forEach(function (element) {
                  var replacement = fresh.getElementById(element.id);
                  if (replacement) { element.replaceWith(document.importNode(replacement, true)); }
                });
                if (status) { status.textContent = "updated " + new Date().toLocaleTimeString(); }
              })
              .catch(function () {
                if (status) { status.textContent = "live updates paused (server unreachable)"; }
              });
          }
          if (status) { status.textContent = "live"; }
          window.setInterval(refresh, 5000);
        })();
        """
}
