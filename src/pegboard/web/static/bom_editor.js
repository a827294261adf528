/* The BOM editor's one rule htmx does not have by default (web/templates/_bom_tree.html):
   a refused change (409: a cycle, 422: a bad field) answers with the BOM section showing
   why beside what was typed, so that answer is swapped in like a saved one instead of
   being dropped as an error. Only for the BOM section; no inline script. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    var status = e.detail.xhr.status;
    if (target && target.id === "bom" && (status === 409 || status === 422)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
