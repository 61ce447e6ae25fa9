/* The recall form shows only the fields of the chosen start (lot, machine, inspection). */
(function () {
  "use strict";
  function show() {
    var select = document.querySelector("[data-recall-start]");
    if (!select) { return; }
    document.querySelectorAll(".recall-form [data-for]").forEach(function (field) {
      var shown = field.dataset.for.split(" ").indexOf(select.value) >= 0;
      field.hidden = !shown;
      field.querySelectorAll("input").forEach(function (input) { input.disabled = !shown; });
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-recall-start]")) { show(); }
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", show); } else { show(); }
})();
