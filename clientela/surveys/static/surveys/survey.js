/* Survey pages: skip logic. Without JavaScript every question shows, with a note saying when to
   answer it, and the server ignores answers to questions that do not apply. */
(function () {
  "use strict";

  function chosen(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) values.push(input.value);
    });
    return values;
  }

  function apply(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var wanted = (block.getAttribute("data-show-if-values") || "").split("|");
      var shown = chosen(form, block.getAttribute("data-show-if")).some(function (v) { return wanted.indexOf(v) !== -1; });
      var source = form.querySelector('[name="' + block.getAttribute("data-show-if") + '"]');
      var parent = source && source.closest(".question");
      if (parent && parent.hidden) shown = false;
      block.hidden = !shown;
      block.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !shown; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-if]")) return;
      form.classList.add("has-skip-logic");
      apply(form);
      form.addEventListener("change", function () { apply(form); });
    });
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
