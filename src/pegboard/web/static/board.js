/* The planning board's drags (web/templates/board_move.html). No inline script.

   The order's bar moves by whole days; dropped, the day it would finish goes into the
   form's field and the check (the form's own GET, nothing saved) is fetched and its
   answer shown in place. The confirm button in the answer saves the move as a plain
   form does.

   The operations' board: each operation's bar moves along its work center's row by whole
   days; dropped, its sequence and the day it would start go into the operation form and
   its check is fetched and shown in place. Choosing another operation fills in where it
   is; another work center checks at once. */
(function () {
  "use strict";

  function plusDays(iso, n) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  /* Fetch the check at `url` and put its element `id` in place of this page's. */
  function showAnswer(url, id) {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var got = new DOMParser().parseFromString(html, "text/html").getElementById(id);
        var here = document.getElementById(id);
        if (got && here) here.replaceWith(document.importNode(got, true));
        history.replaceState(null, "", url);
      });
  }

  /* Let `bar` (an SVG rect) be dragged along its row by whole days of `px` pixels;
     `dropped(shift)` is called on release with the days it moved (0: a click). */
  function draggable(bar, px, dropped) {
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
      x0 += shift * px;
      dropped(shift);
    });
  }

  var bar = document.getElementById("board-bar");
  var form = document.getElementById("board-check");
  var input = document.getElementById("move-finish");
  if (bar && form && input) {
    var due = bar.dataset.due;
    draggable(bar, Number(bar.dataset.px), function (shift) {
      if (shift === 0) return;
      due = plusDays(due, shift);
      input.value = due;
      showAnswer(form.getAttribute("action") + "?finish=" + encodeURIComponent(due), "board-answer");
    });
  }

  var board = document.getElementById("op-board");
  var opForm = document.getElementById("op-check");
  if (!board || !opForm) return;
  var seq = document.getElementById("op-sequence");
  var start = document.getElementById("op-start");
  var wc = document.getElementById("op-wc");

  function check() {
    var query = new URLSearchParams(new FormData(opForm)).toString();
    showAnswer(opForm.getAttribute("action") + "?" + query, "op-answer");
  }

  function choose(opBar) {
    seq.value = opBar.dataset.sequence;
    start.value = opBar.dataset.start;
    wc.value = opBar.dataset.workCenter;
  }

  Array.prototype.forEach.call(board.querySelectorAll(".board-op"), function (opBar) {
    draggable(opBar, Number(board.dataset.px), function (shift) {
      choose(opBar);
      if (shift === 0) return;
      opBar.dataset.start = plusDays(opBar.dataset.start, shift);
      start.value = opBar.dataset.start;
      check();
    });
  });

  seq.addEventListener("change", function () {
    var opBar = document.getElementById("op-" + seq.value);
    if (opBar) choose(opBar);
  });
  wc.addEventListener("change", check);
})();
