/* Channel admin: show only the credential fields of the chosen network (all stay in the page
   without JavaScript). No inline script: the Content-Security-Policy forbids it. */
(function () {
  "use strict";
  function update(select) {
    document.querySelectorAll("fieldset.channel-credentials").forEach(function (fieldset) {
      var show = !select.value || fieldset.classList.contains("channel-credentials-" + select.value);
      fieldset.hidden = !show;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select#id_kind");
    if (!select) {
      return;
    }
    select.addEventListener("change", function () { update(select); });
    update(select);
  });
})();
