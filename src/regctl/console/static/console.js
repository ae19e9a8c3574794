// regctl console: the little JavaScript the pages use. Every page works without it.
// - the models table filters as you type: the same URL as the form, answered by the
//   server as a fragment (partial=1) and put in place; the address bar follows;
// - "/" moves to the search field; the theme button; copy buttons.
// The only HTML the script inserts is this server's own answer, through the one
// Trusted Types policy the Content-Security-Policy allows ("console").
"use strict";
(function () {
  var policy = window.trustedTypes
    ? window.trustedTypes.createPolicy("console", { createHTML: function (s) { return s; } })
    : { createHTML: function (s) { return s; } };
  var root = document.documentElement;

  // Theme: as the system, dark, light (kept in localStorage).
  var order = ["auto", "dark", "light"];
  function applyTheme(name) {
    if (name === "dark" || name === "light") root.setAttribute("data-theme", name);
    else root.removeAttribute("data-theme");
  }
  var saved = null;
  try { saved = window.localStorage.getItem("regctl-theme"); } catch (e) { saved = null; }
  applyTheme(saved);
  var themeButton = document.getElementById("theme");
  if (themeButton) {
    var label = function (name) {
      themeButton.textContent = themeButton.getAttribute("data-" + (name || "auto")) || "";
    };
    label(saved && order.indexOf(saved) > 0 ? saved : "auto");
    themeButton.hidden = false;
    themeButton.addEventListener("click", function () {
      var now = root.getAttribute("data-theme") || "auto";
      var next = order[(order.indexOf(now) + 1) % order.length];
      applyTheme(next);
      label(next);
      try { window.localStorage.setItem("regctl-theme", next); } catch (e) { /* private mode */ }
    });
  }

  // "/" focuses the search field, as on GitHub and Argo CD.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    var q = document.getElementById("q");
    if (q) { ev.preventDefault(); q.focus(); q.select(); }
  });

  // Copy buttons.
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (b) {
    if (!navigator.clipboard) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      var code = document.getElementById(b.getAttribute("data-copy"));
      if (!code) return;
      navigator.clipboard.writeText(code.textContent).then(function () {
        var was = b.textContent;
        b.textContent = b.getAttribute("data-done") || was;
        window.setTimeout(function () { b.textContent = was; }, 1500);
      });
    });
  });

  // The models table.
  var form = document.getElementById("filters");
  var results = document.getElementById("results");
  if (!form || !results) return;
  var pending = null;
  var serial = 0;

  function query(params) {
    var out = new URLSearchParams();
    params.forEach(function (v, k) { if (v !== "") out.append(k, v); });
    return out;
  }

  function load(url, started, moveFocus) {
    if (pending) pending.abort();
    pending = new AbortController();
    var mine = ++serial;
    var ask = new URL(url, window.location.href);
    ask.searchParams.set("partial", "1");
    fetch(ask.toString(), { signal: pending.signal, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        if (mine !== serial) return;
        results.innerHTML = policy.createHTML(html);
        window.history.replaceState(null, "", url);
        ["sort", "dir"].forEach(function (name) { // a sort link changed them
          var field = form.elements.namedItem(name);
          if (field) field.value = ask.searchParams.get(name) || "";
        });
        // Time from the event to the rows styled and laid out (what bench_console reads).
        window.requestAnimationFrame(function () {
          void results.offsetHeight;
          root.setAttribute("data-filter-ms", (performance.now() - started).toFixed(1));
          root.setAttribute("data-filter-serial", String(mine));
        });
        if (moveFocus) {
          var count = document.getElementById("count");
          if (count) { count.setAttribute("tabindex", "-1"); count.focus(); }
        }
      })
      .catch(function (e) {
        if (e && e.name === "AbortError") return;
        window.location.href = url; // the plain page still works
      });
  }

  function fromForm(started) {
    var url = form.getAttribute("action") + "?" + query(new FormData(form)).toString();
    load(url, started, false);
  }

  form.addEventListener("input", function (ev) {
    if (ev.target && ev.target.id === "q") fromForm(performance.now());
  });
  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.tagName === "SELECT") fromForm(performance.now());
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    fromForm(performance.now());
  });
  results.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest("a[data-nav]") : null;
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    load(a.getAttribute("href"), performance.now(), true);
  });
})();
