// Keyboard shortcuts for the inbox (progressive enhancement: every action is also a form).
(function () {
  "use strict";
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  var selected = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-url]")); }
  function select(i) {
    var r = rows();
    if (!r.length) { return; }
    selected = Math.max(0, Math.min(i, r.length - 1));
    r.forEach(function (row, n) { row.classList.toggle("selected", n === selected); });
    var link = r[selected].querySelector("a");
    if (link) { link.focus(); }
  }
  function submit(id) {
    var form = document.getElementById(id);
    if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
  }
  document.addEventListener("htmx:afterSwap", function () {
    if (selected >= 0) { var r = rows(); if (r[selected]) { r[selected].classList.add("selected"); } }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) { return; }
    var dialog = document.getElementById("shortcuts");
    switch (ev.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "o": case "Enter":
        if (selected >= 0 && rows()[selected]) { window.location = rows()[selected].dataset.url; } else { return; }
        break;
      case "a": submit("assign-me-form"); break;
      case "e": submit("resolve-form"); break;
      case "r":
        var box = document.getElementById("id_text");
        if (box) { box.focus(); } else { return; }
        break;
      case "?":
        if (dialog && dialog.showModal) { dialog.showModal(); } else { return; }
        break;
      default: return;
    }
    ev.preventDefault();
  });
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t && t.id === "shortcuts-open") { var d = document.getElementById("shortcuts"); if (d && d.showModal) { d.showModal(); } }
    if (t && t.id === "shortcuts-close") { document.getElementById("shortcuts").close(); }
    if (t && t.dataset && t.dataset.fill) {
      var box = document.getElementById("id_text");
      if (box) { ev.preventDefault(); box.value = t.dataset.fill; box.focus(); }
    }
  });
})();
