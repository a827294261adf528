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

/* The operations' board: each operation's bar moves along its work center's row by whole
   days; dropped, its sequence and the day it would start go into the operation form and
   its check (the form's own GET, nothing saved) is fetched and shown in place. Choosing
   another operation fills in where it is; another work center checks at once. */
(function () {
  "use strict";
  var board = document.getElementById("op-board");
  var form = document.getElementById("op-check");
  if (!board || !form) return;
  var px = Number(board.dataset.px);
  var seq = document.getElementById("op-sequence");
  var start = document.getElementById("op-start");
  var wc = document.getElementById("op-wc");

  function plusDays(iso, n) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function check() {
    var url = form.getAttribute("action") + "?" + new URLSearchParams(new FormData(form)).toString();
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var got = new DOMParser().parseFromString(html, "text/html").getElementById("op-answer");
        var here = document.getElementById("op-answer");
        if (got && here) here.replaceWith(document.importNode(got, true));
        history.replaceState(null, "", url);
      });
  }

  function choose(bar) {
    seq.value = bar.dataset.sequence;
    start.value = bar.dataset.start;
    wc.value = bar.dataset.workCenter;
  }

  Array.prototype.forEach.call(board.querySelectorAll(".board-op"), function (bar) {
    var x0 = Number(bar.getAttribute("x"));
    var from = null;
    var shift = 0;
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
      choose(bar);
      if (shift === 0) return;
      x0 += shift * px;
      bar.dataset.start = plusDays(bar.dataset.start, shift);
      start.value = bar.dataset.start;
      check();
    });
  });

  seq.addEventListener("change", function () {
    var bar = document.getElementById("op-" + seq.value);
    if (bar) choose(bar);
  });
  wc.addEventListener("change", check);
})();
