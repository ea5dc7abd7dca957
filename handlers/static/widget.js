/* Katalog PES: the embeddable search (issue 16). No framework. Put
 *   <div id="katalog-pes" data-gmina="2469011" data-category="catering"></div>
 *   <script src="https://KATALOG/r/REGION/widget.js" data-target="katalog-pes" async></script>
 * on a page; the search box and results render into the element, inside a
 * shadow root with the catalog's own stylesheet, so neither page's CSS
 * reaches the other. It searches the catalog's public JSON API. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) { return; }
  var base = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  var target = document.getElementById(script.getAttribute("data-target") || "katalog-pes");
  if (!target) { return; }
  var lang = (script.getAttribute("data-lang") || document.documentElement.lang || "pl").slice(0, 2) === "en" ? "en" : "pl";
  var t = {
    pl: {title: "Szukaj w Katalogu PES", label: "Czego szukasz?", button: "Szukaj", found: "Znaleziono: ", none: "Nic nie znaleziono.", error: "Wyszukiwarka jest chwilowo niedostępna.", more: "Więcej w Katalogu PES"},
    en: {title: "Search the PES catalog", label: "What are you looking for?", button: "Search", found: "Found: ", none: "Nothing found.", error: "The search is unavailable for now.", more: "More in the PES catalog"}
  }[lang];
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }
  var filters = {};
  ["gmina", "powiat", "category"].forEach(function (k) {
    var v = target.getAttribute("data-" + k) || script.getAttribute("data-" + k);
    if (v) { filters[k] = v.split(",").map(function (x) { return x.trim(); }).filter(Boolean); }
  });
  var root = target.attachShadow ? target.attachShadow({mode: "open"}) : target;
  var css = el("link");
  css.rel = "stylesheet";
  css.href = base + "/widget.css";
  root.appendChild(css);
  var box = el("section", "kp-widget");
  box.setAttribute("lang", lang);
  var id = "kp-q-" + Math.random().toString(36).slice(2);
  var heading = el("h2", "kp-title", t.title);
  heading.id = id + "-h";
  box.setAttribute("aria-labelledby", heading.id);
  var form = el("form", "kp-form");
  form.setAttribute("role", "search");
  var label = el("label", "kp-label", t.label);
  label.htmlFor = id;
  var input = el("input", "kp-input");
  input.type = "search";
  input.id = id;
  input.name = "q";
  var button = el("button", "kp-button", t.button);
  button.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(button);
  var status = el("p", "kp-status");
  status.setAttribute("role", "status");
  var list = el("ul", "kp-results");
  var more = el("a", "kp-more", t.more);
  more.href = base + "/szukaj";
  box.appendChild(heading);
  box.appendChild(form);
  box.appendChild(status);
  box.appendChild(list);
  box.appendChild(more);
  root.appendChild(box);

  function params(q) {
    var p = new URLSearchParams();
    if (q) { p.set("q", q); }
    Object.keys(filters).forEach(function (k) { filters[k].forEach(function (v) { p.append(k, v); }); });
    return p;
  }
  function render(res) {
    list.textContent = "";
    status.textContent = res.total ? t.found + res.total : t.none;
    res.hits.forEach(function (h) {
      var li = el("li", "kp-hit");
      var a = el("a", "kp-name", h.name);
      a.href = base + "/podmiot/" + encodeURIComponent(h.id);
      li.appendChild(a);
      var where = [h.city, h.gmina && h.gmina.name].filter(Boolean);
      if (where.length) { li.appendChild(el("p", "kp-meta", where.join(" · "))); }
      if (h.description) { li.appendChild(el("p", "kp-desc", h.description)); }
      list.appendChild(li);
    });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var p = params(input.value.trim());
    more.href = base + "/szukaj?" + p;
    p.set("per_page", "10");
    fetch(base + "/api/v1/search?" + p, {headers: {"Accept": "application/json", "Accept-Language": lang}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(render, function () { list.textContent = ""; status.textContent = t.error; });
  });
}());
