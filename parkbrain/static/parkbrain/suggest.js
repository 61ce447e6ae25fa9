/* Suggestions for a finder field: the typed start of a lot number, work order, machine, place
   or product, asked of the page's own server (the caller's data only) after a short pause. */
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var text = input.value.trim();
        if (!text || text === asked) { return; }
        asked = text;
        fetch(input.dataset.suggest + "?" + new URLSearchParams({ q: text }), { credentials: "same-origin" })
          .then(function (answer) { return answer.ok ? answer.json() : { suggestions: [] }; })
          .then(function (body) {
            if (asked !== text) { return; }
            list.replaceChildren.apply(list, body.suggestions.map(function (s) {
              var option = document.createElement("option");
              option.value = s.value;
              option.label = s.kind + " · " + s.label;
              return option;
            }));
            list.dataset.for = text;
          });
      }, 200);
    });
  }
  function start() { document.querySelectorAll("input[data-suggest]").forEach(attach); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
