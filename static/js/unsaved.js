// A form marked data-warn-unsaved asks before its page is left with what was typed in it
// not saved (issue 28: an assessor's words on an area page were lost without a warning).
(function () {
  "use strict";
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var changed = false;
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("change", function () { changed = true; });
    form.addEventListener("submit", function () { changed = false; });
    window.addEventListener("beforeunload", function (event) {
      if (changed) {
        event.preventDefault();
        event.returnValue = "";  // older browsers ask only when a value is set
      }
    });
  });
})();
