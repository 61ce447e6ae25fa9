/* The wall display: a clock in the zone's time, a full-screen switch, and figures fetched as
   JSON on an interval and changed in place, so the screen never blanks to reload. */
(function () {
  "use strict";
  var body = document.body;

  function clock() {
    var node = document.querySelector(".wall-clock");
    var lang = document.documentElement.lang || "zh-CN";
    var zone = body.dataset.timeZone;
    var day = new Intl.DateTimeFormat(lang, {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", weekday: "short"
    });
    var time = new Intl.DateTimeFormat(lang, {
      timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
    });
    function tick() {
      var now = new Date();
      node.textContent = day.format(now) + " " + time.format(now);
    }
    tick();
    setInterval(tick, 1000);
  }

  function fullScreen() {
    var button = document.querySelector("[data-testid=wall-fullscreen]");
    function label() {
      button.textContent = document.fullscreenElement ? button.dataset.leave : button.dataset.enter;
    }
    button.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    });
    document.addEventListener("fullscreenchange", label);
  }

  function topRows(rows) {
    var body = document.querySelector("[data-testid=wall-top] tbody");
    body.replaceChildren.apply(body, rows.map(function (row) {
      var tr = document.createElement("tr");
      var cells = [row.rank, null, row.value, null].map(function (text) {
        var td = document.createElement("td");
        if (text !== null) { td.textContent = text; }
        tr.appendChild(td);
        return td;
      });
      var link = document.createElement("a");
      link.href = row.link;
      link.textContent = row.name;
      cells[1].className = "name";
      cells[1].appendChild(link);
      cells[2].className = "num";
      var growth = document.createElement("span");
      growth.className = row.trend;
      growth.textContent = row.growth;
      cells[3].className = "num";
      cells[3].appendChild(growth);
      return tr;
    }));
  }

  function apply(w) {
    document.querySelectorAll("[data-field]").forEach(function (node) {
      var name = node.dataset.field;
      if (!(name in w.fields)) { return; }
      node.textContent = w.fields[name];
      if (name in w.classes) { node.className = w.classes[name]; }
      node.hidden = !w.fields[name];
    });
    document.querySelectorAll("[data-width]").forEach(function (node) {
      node.style.width = (w.widths[node.dataset.width] || 0) + "%";
    });
    topRows(w.top);
    Object.keys(w.charts).forEach(function (source) {
      window.parkbrainCockpit.update(source, w.charts[source]);
    });
    body.dataset.updated = new Date().toISOString();
  }

  // Exposed so a test (or an operator's console) can ask for the figures now.
  function refresh() {
    return fetch(body.dataset.wallData + window.location.search, {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("wall data: " + response.status); }
      return response.json();
    }).then(apply);
  }
  window.parkbrainWall = { refresh: refresh };

  clock();
  fullScreen();
  setInterval(function () { refresh().catch(function () { /* keep the figures shown; try again */ }); },
    Number(body.dataset.wallEvery) * 1000);
})();
