/* Parley's web UI behaviour, kept out of the templates (the CSP allows no inline script):
   the live character counter of the compose box, and "select all" checkboxes. */
"use strict";

(function () {
  // The same rule as posts/text.py: every link counts as 23 characters.
  var URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;
  var LINK_LENGTH = 23;

  function textLength(text) {
    var length = Array.from(text).length;  // code points, as Python's len()
    var links = text.match(URL_RE) || [];
    links.forEach(function (url) { length -= Array.from(url).length - LINK_LENGTH; });
    return length;
  }

  function update(counter, textarea, warning) {
    var max = parseInt(textarea.dataset.maxChars, 10);
    var used = textLength(textarea.value) + Array.from((warning && warning.value || "").trim()).length;
    var left = max - used;
    counter.textContent = left >= 0
      ? left + (left === 1 ? " character left" : " characters left")
      : (-left) + (left === -1 ? " character too many" : " characters too many");
    counter.classList.toggle("over", left < 0);
  }

  function wire(counter) {
    var textarea = document.getElementById(counter.dataset.counterFor);
    if (!textarea || !textarea.dataset.maxChars) return;
    var warning = textarea.form && textarea.form.elements.namedItem("spoiler_text");
    var refresh = function () { update(counter, textarea, warning); };
    textarea.addEventListener("input", refresh);
    if (warning) warning.addEventListener("input", refresh);
    refresh();
  }

  // <input type=checkbox data-select-all="case"> checks every checkbox named "case".
  function wireSelectAll(box) {
    box.addEventListener("change", function () {
      var selector = 'input[type=checkbox][name="' + box.dataset.selectAll + '"]';
      document.querySelectorAll(selector).forEach(function (other) { other.checked = box.checked; });
    });
  }

  function start() {
    document.querySelectorAll("[data-counter-for]").forEach(wire);
    document.querySelectorAll("[data-select-all]").forEach(wireSelectAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
