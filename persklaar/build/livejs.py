"""What `persklaar serve` adds to the pages it serves, and only then: one script and its
stylesheet (the static site itself has no script).

The script listens to `/__persklaar/events` (server-sent events, one `state` message
per change). A new site version reloads the page (keeping the scroll position); content
errors show as an overlay above the last good page; a status bar lists the other
outputs (building, ready, failed) with links to their files. Every text is set with
`textContent`, never as HTML: messages quote the author's content.
"""

from __future__ import annotations

SCRIPT = """\
(() => {
  "use strict";
  const me = document.currentScript;
  const version = Number(me.dataset.version);
  const KEY = "persklaar-scroll";
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    sessionStorage.removeItem(KEY);
    if (saved && saved.path === location.pathname) {
      addEventListener("load", () => scrollTo(0, saved.y));
    }
  } catch (e) { /* no session storage: start at the top */ }

  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/__persklaar/live.css";
  document.head.append(css);

  const el = (tag, props, ...children) => {
    const node = Object.assign(document.createElement(tag), props || {});
    node.append(...children);
    return node;
  };
  const MARK = {building: "\\u27f3", ready: "\\u2713", failed: "\\u2717", waiting: "\\u2026"};

  const bar = el("details", {id: "persklaar-status"});
  const summary = el("summary");
  const list = el("ul");
  bar.append(summary, list);
  const overlay = el("div", {id: "persklaar-overlay", hidden: true});
  overlay.setAttribute("role", "alertdialog");
  overlay.setAttribute("aria-labelledby", "persklaar-overlay-title");
  const problems = el("pre", {id: "persklaar-problems"});
  overlay.append(el("div", {className: "panel"},
    el("h2", {id: "persklaar-overlay-title"}, "Not built: fix the problem and save"),
    problems,
    el("p", {}, "The page underneath is the last good build.")));

  const show = (state) => {
    overlay.hidden = state.errors.length === 0;
    problems.textContent = state.errors.join("\\n");
    const names = Object.keys(state.outputs);
    summary.textContent = names.length
      ? names.map((n) => `${n} ${MARK[state.outputs[n].state] || ""}`).join(" \\u00b7 ")
      : "persklaar serve";
    list.replaceChildren(...names.map((name) => {
      const out = state.outputs[name];
      const item = el("li", {className: out.state}, `${name}: ${out.state}`);
      for (const file of out.files) {
        item.append(" ", el("a", {href: "/__persklaar/dist/" + file}, file.split("/").pop()));
      }
      if (out.message) item.append(el("span", {className: "message"}, " " + out.message));
      return item;
    }));
    bar.dataset.state = names.some((n) => state.outputs[n].state === "failed") ? "failed"
      : names.some((n) => state.outputs[n].state === "building") ? "building" : "ready";
  };

  addEventListener("DOMContentLoaded", () => document.body.append(overlay, bar));
  const events = new EventSource("/__persklaar/events");
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    if (state.version !== version) {
      try {
        sessionStorage.setItem(KEY, JSON.stringify({path: location.pathname, y: scrollY}));
      } catch (e) { /* reload at the top */ }
      location.reload();
      return;
    }
    bar.dataset.offline = "";
    show(state);
  });
  events.addEventListener("error", () => { bar.dataset.offline = "true"; });
})();
"""

STYLE = """\
#persklaar-status {
  position: fixed; right: 0.5rem; bottom: 0.5rem; z-index: 2147483000; max-width: calc(100vw - 1rem);
  padding: 0.3rem 0.7rem; border-radius: 0.4rem; background: #1f2328; color: #ffffff;
  font: 13px/1.4 system-ui, sans-serif; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3);
}
#persklaar-status summary { cursor: pointer; }
#persklaar-status[data-state="failed"] { background: #8b1a1a; }
#persklaar-status[data-offline="true"] { opacity: 0.6; }
#persklaar-status ul { margin: 0.4rem 0 0.2rem; padding: 0; list-style: none; }
#persklaar-status li { margin: 0.2rem 0; }
#persklaar-status a { color: #cfe3ff; }
#persklaar-status .message { display: block; white-space: pre-wrap; }
#persklaar-overlay {
  position: fixed; inset: 0; z-index: 2147482000; display: flex; align-items: flex-start;
  justify-content: center; padding: 2rem 1rem; background: rgba(20, 20, 20, 0.55); overflow: auto;
}
#persklaar-overlay[hidden] { display: none; }
#persklaar-overlay .panel {
  max-width: 60rem; width: 100%; padding: 1rem 1.25rem; border-top: 6px solid #b3261e;
  background: #ffffff; color: #1a1a1a; font: 15px/1.5 system-ui, sans-serif;
}
#persklaar-overlay h2 { margin: 0 0 0.6rem; font-size: 1.2rem; color: #8b1a1a; }
#persklaar-overlay pre {
  margin: 0 0 0.6rem; padding: 0.6rem 0.8rem; white-space: pre-wrap; word-break: break-word;
  background: #f3f3f1; color: #1a1a1a; font: 14px/1.5 ui-monospace, monospace;
}
#persklaar-overlay p { margin: 0; color: #1a1a1a; }
"""
