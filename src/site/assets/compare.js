// The level comparison of the published site, computed in the browser from assets/data.js: what the
// second level asks that the first does not, competency by competency. Bullets are compared after
// normalising case and whitespace, as Trellis itself does. The bullets in the data are HTML that
// Trellis has already sanitised.
(function () {
  "use strict";
  var data = window.TRELLIS_FRAMEWORK;
  var form = document.getElementById("compare-form");
  var out = document.getElementById("compare-result");
  if (!data || !form || !out) return;
  form.hidden = false;
  var fromSelect = form.elements.namedItem("from");
  var toSelect = form.elements.namedItem("to");

  var STATUS = {
    same: "same",
    changed: "changed",
    onlyInFrom: "only in the first level's track",
    onlyInTo: "new in this track",
    naInFrom: "starts to apply",
    naInTo: "no longer applies"
  };

  function find(value) {
    var parts = (value || "").split("/");
    for (var i = 0; i < data.tracks.length; i++) {
      var track = data.tracks[i];
      if (track.key !== parts[0]) continue;
      for (var j = 0; j < track.levels.length; j++) {
        if (parts.length < 2 || track.levels[j].key === parts[1]) {
          return { track: track, level: track.levels[j], rank: j };
        }
      }
    }
    return null;
  }

  function cell(side, key) {
    if (side.track.competencies.indexOf(key) < 0) return { state: "not-in-track", bullets: [] };
    if (side.level.not_applicable.indexOf(key) >= 0) return { state: "na", bullets: [] };
    var bullets = side.level.bullets[key];
    if (bullets && bullets.length) return { state: "expected", bullets: bullets };
    return { state: "missing", bullets: [] };
  }

  function normalise(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean).join(" ");
  }

  function bulletDiff(older, newer) {
    var olderSet = {}, newerSet = {}, result = { kept: [], added: [], removed: [] };
    older.forEach(function (b) { olderSet[normalise(b)] = true; });
    newer.forEach(function (b) { newerSet[normalise(b)] = true; });
    newer.forEach(function (b) { (olderSet[normalise(b)] ? result.kept : result.added).push(b); });
    older.forEach(function (b) { if (!newerSet[normalise(b)]) result.removed.push(b); });
    return result;
  }

  function status(a, b, diff) {
    if (a.state === "not-in-track") return STATUS.onlyInTo;
    if (b.state === "not-in-track") return STATUS.onlyInFrom;
    if (a.state === "na" && b.state === "na") return STATUS.same;
    if (a.state === "na") return STATUS.naInFrom;
    if (b.state === "na") return STATUS.naInTo;
    return diff.added.length || diff.removed.length ? STATUS.changed : STATUS.same;
  }

  function el(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function bulletList(kept, extra, wrapper, hidden) {
    var ul = el("ul", "bullets");
    kept.forEach(function (html) {
      var li = el("li");
      li.innerHTML = html;
      ul.appendChild(li);
    });
    extra.forEach(function (html) {
      var li = el("li");
      var mark = el(wrapper);
      mark.appendChild(el("span", "visually-hidden", hidden));
      var body = el("span");
      body.innerHTML = html;
      mark.appendChild(body);
      li.appendChild(mark);
      ul.appendChild(li);
    });
    return ul;
  }

  function title(side) {
    return side.level.title + " (" + side.track.name + ")";
  }

  function render() {
    var a = find(fromSelect.value), b = find(toSelect.value);
    var onlyChanges = form.elements.namedItem("show").value !== "all";
    out.textContent = "";
    if (!a || !b) return;
    var seen = {}, keys = [];
    b.track.competencies.concat(a.track.competencies).forEach(function (k) {
      if (!seen[k]) { seen[k] = true; keys.push(k); }
    });
    var rows = keys.map(function (k) {
      var from = cell(a, k), to = cell(b, k);
      var diff = bulletDiff(from.bullets, to.bullets);
      return { key: k, from: from, to: to, diff: diff, status: status(from, to, diff) };
    });
    var changed = rows.filter(function (r) { return r.status !== STATUS.same; });
    out.appendChild(el("h2", null, title(a) + " → " + title(b)));
    out.appendChild(el("p", "meta", changed.length + " of " + rows.length + " competencies change."));
    var shown = onlyChanges ? changed : rows;
    if (!changed.length) out.appendChild(el("p", null, "Nothing changes between these two levels."));
    if (!shown.length) return;
    var table = el("table", "delta");
    var head = el("tr");
    [["Competency"], [title(a)], [title(b)]].forEach(function (t) {
      var th = el("th", null, t[0]);
      th.scope = "col";
      head.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    shown.forEach(function (r) {
      var tr = el("tr", "status-" + r.status.replace(/[^a-z]+/g, "-"));
      var th = el("th", null, data.competencies[r.key] || r.key);
      th.scope = "row";
      th.appendChild(el("span", "status", r.status));
      tr.appendChild(th);
      var left = el("td"), right = el("td");
      if (r.from.state === "na") left.appendChild(el("span", "na-label", "Not applicable"));
      if (r.to.state === "na") right.appendChild(el("span", "na-label", "Not applicable"));
      left.appendChild(bulletList(r.diff.kept, r.diff.removed, "del", "Dropped: "));
      right.appendChild(bulletList(r.diff.kept, r.diff.added, "ins", "New: "));
      tr.appendChild(left);
      tr.appendChild(right);
      body.appendChild(tr);
    });
    out.appendChild(table);
  }

  function choose(select, side) {
    if (side) select.value = side.track.key + "/" + side.level.key;
  }

  // The first choice comes from the address (compare.html?from=TRACK/LEVEL&to=TRACK/LEVEL), as the
  // track and level pages link here; the second defaults to the level above the first.
  var params = new URLSearchParams(window.location.search);
  var first = find(params.get("from")) || find(fromSelect.value);
  choose(fromSelect, first);
  var second = find(params.get("to"));
  if (!second && first) {
    var above = first.track.levels[first.rank + 1];
    second = above ? { track: first.track, level: above, rank: first.rank + 1 } : first;
  }
  choose(toSelect, second);
  if (params.get("show") === "all") form.elements.namedItem("show").value = "all";
  form.addEventListener("change", render);
  form.addEventListener("submit", function (event) { event.preventDefault(); render(); });
  render();
})();
