// Landkreis Social – the post editor: keeps what was typed in this browser (localStorage) until it is
// saved, and restores it with a notice after a crash or a closed tab. The live check (counters,
// previews, etiquette findings) and the server autosave of drafts are plain htmx attributes in the
// template; this file only adds the local copy. No inline scripts (Content-Security-Policy).
(function () {
  "use strict";
  var form = document.getElementById("post-form");
  if (!form || !window.localStorage) { return; }
  var key = form.getAttribute("data-storage-key");
  var isNew = form.getAttribute("data-is-new") === "1";
  var serverUpdated = parseInt(form.getAttribute("data-server-updated") || "0", 10) * 1000;
  var notice = document.getElementById("restore-notice");
  var discard = document.getElementById("restore-discard");
  var SKIP = { csrfmiddlewaretoken: true, department: true, action: true, create_token: true };

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "file" && el.type !== "submit" && el.type !== "button" &&
        el.type !== "hidden";
    });
  }

  function read() {
    var values = {};
    fields().forEach(function (el) {
      var id = el.id || el.name;
      values[id] = (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value;
    });
    return values;
  }

  function write(values) {
    fields().forEach(function (el) {
      var id = el.id || el.name;
      if (!(id in values)) { return; }
      if (el.type === "checkbox" || el.type === "radio") { el.checked = !!values[id]; } else { el.value = values[id]; }
    });
  }

  function same(a, b) {
    var keys = Object.keys(a);
    for (var i = 0; i < keys.length; i++) {
      if (keys[i] in b && a[keys[i]] !== b[keys[i]]) { return false; }
    }
    return true;
  }

  function stored() {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function save() {
    try {
      window.localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), values: read() }));
    } catch (e) { /* storage full or disabled: the server autosave still works */ }
  }

  // Restore: not after a failed submission (the page then shows exactly what was sent).
  var copy = stored();
  var hasErrors = !!document.getElementById("form-errors");
  if (copy && copy.values && !hasErrors) {
    var original = read();
    var newer = isNew || copy.savedAt > serverUpdated;
    if (newer && !same(copy.values, original)) {
      write(copy.values);
      if (notice) {
        notice.hidden = false;
        var when = new Date(copy.savedAt);
        var text = document.getElementById("restore-text");
        if (text && text.getAttribute("data-done") !== "1") {
          text.textContent = text.textContent + " (" + when.toLocaleString("de-DE") + ")";
          text.setAttribute("data-done", "1");
        }
      }
      if (discard) {
        discard.addEventListener("click", function () {
          write(original);
          window.localStorage.removeItem(key);
          notice.hidden = true;
          if (window.htmx) { window.htmx.trigger(form, "change"); }
          var text = document.getElementById("id_text");
          if (text) { text.focus(); }
        });
      }
      // Check the restored text. htmx attaches its listeners on DOMContentLoaded, after this script
      // ran: a change event sent now would be lost and the panel would say "no text yet".
      var recheck = function () { if (window.htmx) { window.htmx.trigger(form, "change"); } };
      if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", recheck); } else { recheck(); }
    }
  }

  var timer = null;
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 300);
  });
  form.addEventListener("change", save);
  // Sent to the server: the local copy has done its job. (If the server answers with errors, the
  // page shows the sent values again.)
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
    window.localStorage.removeItem(key);
  });
})();

// Submitting ends the server autosave: leaving the text field (clicking "Zur Freigabe einreichen")
// fires "change", and an autosave sent with the submission was refused with 409 once the post was in
// review. The template delays the autosave after "change" a little, so the submission comes first and
// no autosave starts after it.
(function () {
  "use strict";
  var form = document.getElementById("post-form");
  var autosave = document.querySelector("[data-autosave]");
  if (!form || !autosave) { return; }
  var submitted = false;
  form.addEventListener("submit", function () { submitted = true; });
  autosave.addEventListener("htmx:beforeRequest", function (event) {
    if (submitted) { event.preventDefault(); }
  });
})();

// The chosen image shows in the previews before the first save: the live check's previews only know
// saved media, so a local copy (blob: URL, allowed by the policy's img-src) is added to each preview
// card – again after every live check replaced them – with the alt text typed so far.
(function () {
  "use strict";
  var form = document.getElementById("post-form");
  var input = form && form.querySelector("input[type=file][name=media_file]");
  if (!input || !window.URL || !URL.createObjectURL) { return; }
  var alt = form.querySelector("[name=media_alt_text]");
  var chosen = null;

  function show() {
    document.querySelectorAll("#previews .preview").forEach(function (card) {
      var old = card.querySelector(".preview__media--chosen");
      if (old) { old.remove(); }
      if (!chosen) { return; }
      var box = document.createElement("div");
      box.className = "preview__media preview__media--1 preview__media--chosen";
      var img = document.createElement("img");
      img.src = chosen;
      img.alt = alt ? alt.value : "";
      box.appendChild(img);
      var text = card.querySelector(".preview__text");
      if (text) { text.insertAdjacentElement("afterend", box); } else { card.appendChild(box); }
    });
  }

  input.addEventListener("change", function () {
    if (chosen) { URL.revokeObjectURL(chosen); chosen = null; }
    var file = input.files && input.files[0];
    if (file && /^image\//.test(file.type)) { chosen = URL.createObjectURL(file); }
    show();
  });
  if (alt) { alt.addEventListener("input", show); }
  document.body.addEventListener("htmx:afterSwap", show);
})();

