// Katalog PES: small enhancements only; every page works without them.
(function () {
  "use strict";

  // Names as you type, offered through the search box's datalist.
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || !window.fetch) return;
    var timer = 0;
    var last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) return;
        last = q;
        fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (names) {
            list.textContent = "";
            names.forEach(function (name) {
              var option = document.createElement("option");
              option.value = name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  });

  // Filters sit beside the results on a wide screen: open them there.
  var filters = document.getElementById("filters-box");
  if (filters && window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) filters.open = true;

  // gminaNameBox puts a labelled name box with suggestions (GET the host's
  // data-gminas?q=) before the node "before"; pick(g, text, box) hears the
  // gmina a person chose among those keep(g) lets through.
  var gminaNameBox = function (host, before, id, keep, pick) {
    var field = document.createElement("div");
    field.className = "field";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = host.getAttribute("data-name-label");
    var box = document.createElement("input");
    box.type = "search";
    box.id = id;
    box.autocomplete = "off";
    box.setAttribute("list", id + "s");
    var names = document.createElement("datalist");
    names.id = id + "s";
    field.appendChild(label);
    field.appendChild(box);
    field.appendChild(names);
    host.insertBefore(field, before);
    var found = {};
    var timer = 0;
    box.addEventListener("input", function () {
      if (found[box.value]) { pick(found[box.value], box.value, box); return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = box.value.trim();
        if (q.length < 2) return;
        fetch(host.getAttribute("data-gminas") + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (list) {
            names.textContent = "";
            found = {};
            list.forEach(function (g) {
              if (!keep(g)) return;
              var text = g.label + ", " + g.powiat.name;
              found[text] = g;
              var option = document.createElement("option");
              option.value = text;
              names.appendChild(option);
            });
            if (found[box.value]) pick(found[box.value], box.value, box);
          })
          .catch(function () {});
      }, 150);
    });
  };

  // Who serves my gmina: a name box over the powiat and gmina selects,
  // which stay what the form sends (serves=CODE).
  var picker = document.getElementById("serves-picker");
  var servesSelect = document.getElementById("serves");
  var powiatSelect = document.getElementById("serves-powiat");
  if (picker && servesSelect && powiatSelect && window.fetch) {
    var select = function (sel, value, text) {
      if (!Array.prototype.some.call(sel.options, function (o) { return o.value === value; })) {
        var o = document.createElement("option");
        o.value = value;
        o.textContent = text;
        sel.appendChild(o);
      }
      sel.value = value;
    };
    gminaNameBox(picker, picker.querySelector(".field"), "serves-name",
      function () { return true; },
      function (g) {
        select(powiatSelect, g.powiat.code, g.powiat.name);
        select(servesSelect, g.code, g.label);
      });
  }

  // The listing form's service area: a name box that ticks a gmina of the
  // region, adding its checkbox; the checkboxes stay what the form sends.
  var area = document.getElementById("area-gminas");
  var areaChoices = document.querySelector("#f-service_area-gminas .choices");
  if (area && areaChoices && window.fetch) {
    var tick = function (g, text, box) {
      var existing = Array.prototype.filter.call(areaChoices.querySelectorAll("input"), function (i) { return i.value === g.code; });
      if (existing.length) { existing[0].checked = true; } else {
        var n = areaChoices.querySelectorAll("input").length;
        var choice = document.createElement("div");
        choice.className = "choice";
        var check = document.createElement("input");
        check.type = "checkbox";
        check.id = "f-service_area-gminas-" + n;
        check.name = "service_area.gminas";
        check.value = g.code;
        check.checked = true;
        var l = document.createElement("label");
        l.setAttribute("for", check.id);
        l.textContent = text;
        choice.appendChild(check);
        choice.appendChild(l);
        areaChoices.appendChild(choice);
      }
      var scope = document.getElementById("f-service_area-scope");
      if (scope) scope.value = "gminas";
      box.value = "";
    };
    gminaNameBox(area, area.firstChild, "area-gmina-name",
      function (g) { return g.voivodeship.code === area.getAttribute("data-region"); }, tick);
  }

  // Near me: the browser's position fills near=lat,lng; without a point
  // neither near nor the radius is sent.
  var nearBox = document.getElementById("near-me");
  var locate = document.getElementById("locate-me");
  var near = document.getElementById("near");
  var radius = document.getElementById("radius_km");
  var form = document.getElementById("search-form");
  if (nearBox && locate && near && radius && form && navigator.geolocation) {
    nearBox.hidden = false;
    nearBox.disabled = false;
    locate.hidden = false;
    var status = document.getElementById("near-status");
    form.addEventListener("submit", function () {
      if (!near.value.trim()) { near.disabled = true; radius.disabled = true; }
    });
    locate.addEventListener("click", function () {
      status.textContent = nearBox.getAttribute("data-locating");
      navigator.geolocation.getCurrentPosition(function (pos) {
        near.value = pos.coords.latitude.toFixed(4) + "," + pos.coords.longitude.toFixed(4);
        var sort = document.getElementById("sort");
        if (sort && !sort.querySelector('option[value="distance"]')) {
          var o = document.createElement("option");
          o.value = "distance";
          o.textContent = nearBox.getAttribute("data-sort-label");
          sort.appendChild(o);
        }
        if (sort) sort.value = "distance";
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }, function () {
        status.textContent = nearBox.getAttribute("data-failed");
      }, { timeout: 10000, maximumAge: 600000 });
    });
  }

  // After a form comes back with errors, start at their summary.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
