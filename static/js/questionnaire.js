// Conditional questions: show a question only when the answer it depends on matches.
// Without JavaScript every question stays visible and the server ignores hidden answers.
(function () {
  "use strict";
  function currentValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var input = form.querySelector('[name="' + name + '"]:not([type=radio])');
    return input ? input.value : "";
  }
  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var shown = currentValue(form, block.dataset.showIf) === block.dataset.showIfEquals;
      block.hidden = !shown;
    });
  }
  document.querySelectorAll("form[data-questionnaire]").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
