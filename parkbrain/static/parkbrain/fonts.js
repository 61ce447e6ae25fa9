/* Charts measure their text when laid out, and Noto Sans SC comes in slices by character that a
   canvas never asks for: load the slices the page's chart data needs, then draw. */
window.parkbrainWhenFontsReady = function (draw) {
  "use strict";
  if (!document.fonts || !document.fonts.load) { draw(); return; }
  var text = "0123456789%.-—";
  document.querySelectorAll('script[type="application/json"]').forEach(function (node) {
    try { text += JSON.stringify(JSON.parse(node.textContent)); } catch (e) { /* not chart data */ }
  });
  var family = '"Noto Sans SC"';
  Promise.all([
    document.fonts.load("400 12px " + family, text),
    document.fonts.load("700 12px " + family, text)
  ]).then(draw, draw);
};
