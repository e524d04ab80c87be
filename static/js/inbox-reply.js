// The reply box on the conversation page: "Insert for editing" puts a saved reply into the text
// field (where it is checked and must be adapted), never sends it. No inline script (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-saved-reply]");
    if (!button) { return; }
    var field = document.getElementById("id_reply_text");
    var source = button.parentElement.querySelector("template.saved-reply-source");
    if (!field || !source) { return; }
    var text = source.content ? source.content.textContent : source.textContent;
    var before = field.value.slice(0, field.selectionStart || field.value.length);
    var after = field.value.slice(field.selectionEnd || field.value.length);
    field.value = before + text.trim() + after;
    field.focus();
    field.dispatchEvent(new Event("input", { bubbles: true }));  // the live check runs
    var picker = document.getElementById("saved-reply-picker");
    if (picker) { picker.open = false; }
  });
})();
