// Grouped main menu: one group open at a time; Escape or a click elsewhere closes it.
// Without this script the groups still open and close (they are <details> elements).
(function () {
  "use strict";
  function groups() { return document.querySelectorAll("details[data-nav-group]"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details[data-nav-group]") || !opened.open) return;
    groups().forEach(function (other) { if (other !== opened) other.open = false; });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups().forEach(function (group) {
      if (!group.open) return;
      group.open = false;
      if (group.contains(document.activeElement)) group.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    groups().forEach(function (group) {
      if (group.open && !group.contains(event.target)) group.open = false;
    });
  });
})();
