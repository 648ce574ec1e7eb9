// The search of the published site, in the browser over assets/search-index.js: every track, level,
// competency and expectation bullet as plain text. A result matches when it holds every word typed.
(function () {
  "use strict";
  var index = window.TRELLIS_SEARCH;
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  if (!index || !form || !input || !status || !results) return;
  form.hidden = false;
  var LIMIT = 100;

  // Each entry as {kind, title, context, href}; an entry with a competency key links to it.
  var entries = index.entries.map(function (e) {
    var place = index.places[e[2]];
    var name = e[3] ? index.competencies[e[3]] || e[3] : "";
    var isLibrary = e[0] === 2;
    return {
      kind: index.kinds[e[0]],
      title: e[1],
      context: isLibrary ? "Competency library" : [place[0], name].filter(Boolean).join(" · "),
      href: place[1] + (e[3] ? "#competency-" + e[3] : "")
    };
  });
  var haystacks = entries.map(function (e) {
    return (e.title + " " + e.context).toLowerCase();
  });

  function run() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length) {
      status.textContent = "Type a word to search " + entries.length + " tracks, levels, competencies and expectations.";
      return;
    }
    var found = 0;
    for (var i = 0; i < entries.length; i++) {
      var hay = haystacks[i];
      if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) continue;
      found++;
      if (found > LIMIT) continue;
      var e = entries[i];
      var li = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e.kind;
      var link = document.createElement("a");
      link.href = e.href;
      link.textContent = e.title;
      var context = document.createElement("span");
      context.className = "muted";
      context.textContent = e.context;
      li.appendChild(kind);
      li.appendChild(link);
      li.appendChild(context);
      results.appendChild(li);
    }
    status.textContent = found === 0 ? "Nothing matches “" + input.value.trim() + "”."
      : found > LIMIT ? found + " results; the first " + LIMIT + " are shown. Add a word to narrow them."
      : found === 1 ? "1 result." : found + " results.";
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  input.value = new URLSearchParams(window.location.search).get("q") || "";
  run();
  input.focus();
})();
