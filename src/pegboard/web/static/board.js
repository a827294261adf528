/* The planning board's drag (web/templates/board_move.html): the order's bar moves by
   whole days; dropped, the day it would finish goes into the form's field and the check
   (the form's own GET, nothing saved) is fetched and its answer shown in place. The
   confirm button in the answer saves the move as a plain form does. No inline script. */
(function () {
  "use strict";
  var bar = document.getElementById("board-bar");
  var form = document.getElementById("board-check");
  var input = document.getElementById("move-finish");
  if (!bar || !form || !input) return;
  var px = Number(bar.dataset.px);
  var due = bar.dataset.due;
  var x0 = Number(bar.getAttribute("x"));
  var from = null;
  var shift = 0;

  function plusDays(iso, n) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function check() {
    var url = form.getAttribute("action") + "?finish=" + encodeURIComponent(input.value);
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var got = new DOMParser().parseFromString(html, "text/html").getElementById("board-answer");
        var here = document.getElementById("board-answer");
        if (got && here) here.replaceWith(document.importNode(got, true));
        history.replaceState(null, "", url);
      });
  }

  bar.addEventListener("pointerdown", function (e) {
    from = e.clientX;
    shift = 0;
    bar.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  bar.addEventListener("pointermove", function (e) {
    if (from === null) return;
    shift = Math.round((e.clientX - from) / px);
    bar.setAttribute("x", String(x0 + shift * px));
  });
  bar.addEventListener("pointerup", function () {
    if (from === null) return;
    from = null;
    if (shift === 0) return;
    x0 += shift * px;
    due = plusDays(due, shift);
    input.value = due;
    check();
  });
})();
