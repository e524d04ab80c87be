// Landkreis Social – the editorial calendar: drag an approved post to another day to reschedule it.
// The same endpoint as the "Move" form beside each entry (the keyboard way): POST planned_at to
// data-reschedule-url; the server checks the permission and writes the audit event. The time of day
// stays; only the day changes. No inline script (CSP).
(function () {
  "use strict";
  var status = document.getElementById("calendar-status");
  var dragged = null;

  function say(text) { if (status) { status.textContent = text; } }

  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function targetOf(event) {
    var el = event.target.nodeType === 1 ? event.target : event.target.parentElement;
    return el ? el.closest("[data-date]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var entry = event.target.closest && event.target.closest("[data-reschedule-url]");
    if (!entry) { return; }
    dragged = entry;
    entry.classList.add("calendar__entry--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", entry.getAttribute("data-title") || "");
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("calendar__entry--dragging"); }
    document.querySelectorAll(".calendar__drop-target").forEach(function (el) { el.classList.remove("calendar__drop-target"); });
    dragged = null;
  });

  document.addEventListener("dragover", function (event) {
    var day = dragged && targetOf(event);
    if (!day) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".calendar__drop-target").forEach(function (el) { if (el !== day) { el.classList.remove("calendar__drop-target"); } });
    day.classList.add("calendar__drop-target");
  });

  document.addEventListener("drop", function (event) {
    var day = dragged && targetOf(event);
    if (!day) { return; }
    event.preventDefault();
    var entry = dragged;
    var plannedAt = day.getAttribute("data-date") + "T" + (entry.getAttribute("data-time") || "10:00");
    var body = new URLSearchParams();
    body.append("planned_at", plannedAt);
    entry.classList.add("calendar__entry--saving");
    fetch(entry.getAttribute("data-reschedule-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token(), "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok && data.ok, data: data }; });
    }).then(function (result) {
      say(result.data.message || "");
      if (result.ok) {
        window.location.reload();
      } else {
        entry.classList.remove("calendar__entry--saving");
        var alert = document.getElementById("calendar-error");
        if (alert) { alert.textContent = result.data.message || ""; alert.hidden = false; }
      }
    }).catch(function () {
      entry.classList.remove("calendar__entry--saving");
      say(document.documentElement.lang === "de" ? "Verschieben fehlgeschlagen." : "Moving failed.");
    });
  });
})();
