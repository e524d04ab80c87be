// Landkreis Social – shared behaviour. Loaded on every page; no inline scripts (CSP).
(function () {
  "use strict";
  // htmx sends Django's CSRF token with every non-GET request.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
// Buttons with data-copy="#field" copy that field's text (the iCal address) and say so in the
// status line after them (data-copied), for screen readers too.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) { return; }
    var done = function () {
      var status = document.getElementById("feed-copy-status");
      if (status) { status.textContent = button.getAttribute("data-copied") || ""; }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
    } else {
      field.select();
      try { if (document.execCommand("copy")) { done(); } } catch (e) { /* the field stays selected */ }
    }
  });
})();
