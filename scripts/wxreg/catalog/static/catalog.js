// Search, filters and sorting for the plugin list. Reading works without this file: the list is
// server-rendered and complete; this only hides, shows and reorders its items.
(function () {
  "use strict";
  var form = document.getElementById("controls");
  var list = document.getElementById("plugins");
  if (!form || !list) { return; }
  var count = document.getElementById("count");
  var noMatch = document.getElementById("no-match");
  var format = count.getAttribute("data-format");
  var items = Array.prototype.map.call(list.children, function (li) {
    var d = li.dataset;
    return { li: li, s: d.s, c: d.c, os: " " + d.os + " ", p: " " + d.p + " ", u: d.u, n: d.n,
             d: Number(d.d), st: Number(d.st), id: li.id, attached: true };
  });
  var keys = {
    updated: function (a, b) { return a.u < b.u ? 1 : a.u > b.u ? -1 : 0; },
    newest: function (a, b) { return a.n < b.n ? 1 : a.n > b.n ? -1 : 0; },
    downloads: function (a, b) { return b.d - a.d; },
    stars: function (a, b) { return b.st - a.st; }
  };
  var order = "updated";
  var PAGE = 100, limit = PAGE;
  var more = document.getElementById("more");

  // Only matching items are in the list, and at most `limit` of them (a "show more" button adds the
  // next hundred). Toggling `hidden` on hundreds of items made the browser lay out the whole list;
  // instead each keystroke takes the fewest DOM steps: put back and take out only the items that
  // changed, or, when most of them did, swap in a new list (bench/bench_catalog.py, 1,000 plugins).
  function filter() {
    var words = form.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var c = form.category.value, os = form.os.value, p = form.permission.value;
    var shown = [], changed = 0, matches = 0;
    for (var i = 0; i < items.length; i++) {
      var it = items[i], ok = (!c || it.c === c) && (!os || it.os.indexOf(" " + os + " ") >= 0) &&
        (!p || it.p.indexOf(" " + p + " ") >= 0);
      for (var w = 0; ok && w < words.length; w++) { ok = it.s.indexOf(words[w]) >= 0; }
      if (ok) { matches++; }
      ok = ok && matches <= limit;  // the first `limit` matches are in the list; "show more" adds the next
      it.ok = ok;
      if (ok) { shown.push(it.li); }
      if (ok !== it.attached) { changed++; }
    }
    if (changed > shown.length) {
      // Swap in a new list: the old one leaves the document in one step, not one item at a time.
      var fresh = list.cloneNode(false), fragment = document.createDocumentFragment();
      list.replaceWith(fresh);
      shown.forEach(function (li) { fragment.appendChild(li); });
      fresh.appendChild(fragment);
      list = fresh;
      items.forEach(function (it) { it.attached = it.ok; });
    } else if (changed) {
      var next = null;
      for (var j = items.length - 1; j >= 0; j--) {
        var item = items[j];
        if (item.ok !== item.attached) {
          if (item.ok) { list.insertBefore(item.li, next); } else { list.removeChild(item.li); }
          item.attached = item.ok;
        }
        if (item.ok) { next = item.li; }
      }
    }
    count.textContent = format.replace("{n}", String(matches));
    noMatch.hidden = matches !== 0 || items.length === 0;
    more.hidden = matches <= shown.length;
    more.textContent = more.getAttribute("data-format").replace("{n}", String(matches - shown.length));
  }

  function sort() {
    if (form.sort.value === order) { return; }
    order = keys[form.sort.value] ? form.sort.value : "updated";
    var by = keys[order];
    items.sort(function (a, b) { return by(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
    var fresh = list.cloneNode(false), fragment = document.createDocumentFragment();
    list.replaceWith(fresh);
    items.forEach(function (it) { if (it.attached) { fragment.appendChild(it.li); } });
    fresh.appendChild(fragment);
    list = fresh;
  }

  function remember() {
    var params = new URLSearchParams();
    ["q", "category", "os", "permission", "sort"].forEach(function (name) {
      var value = form[name].value;
      if (value && !(name === "sort" && value === "updated")) { params.set(name, value); }
    });
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  var initial = new URLSearchParams(location.search);
  ["q", "category", "os", "permission", "sort"].forEach(function (name) {
    var value = initial.get(name);
    if (value !== null) { form[name].value = value; }
  });
  form.hidden = false;
  var note = document.getElementById("nojs");
  if (note) { note.hidden = true; }
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  more.addEventListener("click", function () {
    limit += PAGE;
    filter();
  });
  form.addEventListener("input", function (event) {
    if (event.target === form.sort) { sort(); }
    limit = PAGE;
    filter();
    remember();
  });
  sort();
  filter();
}());
