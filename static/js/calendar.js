// Landkreis Social – the editorial calendar: drag an approved post to reschedule it.
//
// Where it is dropped decides the new time: a day of the month grid or of the week list keeps the time of
// day; an hour cell of the week's time grid (data-hour) sets day and hour and keeps the minutes. The same
// endpoint as the "Move" form beside each entry (the keyboard way): POST planned_at (a full local datetime,
// as the form sends it) to data-reschedule-url; the server checks the permission, writes the audit event
// and answers JSON. On success the calendar is fetched again and replaced (no reload, the live region
// keeps its announcement); on an error the message is shown and the post stays where it was.
//
// Pointer Events, so mouse, pen and touch work alike: a mouse may grab the entry anywhere (not its form),
// touch and pen only the handle (.calendar__grip, touch-action: none) – elsewhere a finger scrolls the page.
// Escape cancels a drag. Texts come from data attributes of #calendar-body (translated by the template).
// No inline script (CSP).
(function () {
  "use strict";
  var THRESHOLD = 5; // px before a press becomes a drag (a click on the title still opens the post)
  var EDGE = 48; // px from the window's top or bottom edge where the page scrolls while dragging
  var status = document.getElementById("calendar-status");
  var errorBox = document.getElementById("calendar-error");
  var drag = null; // {entry, pointerId, x, y, startX, startY, active, ghost, target, scrolling}
  var suppressClick = false;

  function body() { return document.getElementById("calendar-body"); }
  function text(name) { var b = body(); return (b && b.getAttribute("data-text-" + name)) || ""; }
  function say(message) {
    if (!status) { return; }
    // Emptied first, so the same message twice is announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }
  function showError(message) {
    if (errorBox) { errorBox.hidden = false; errorBox.textContent = message; }
  }
  function clearError() {
    if (errorBox) { errorBox.hidden = true; errorBox.textContent = ""; }
  }
  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The new planned_at for a drop on ``target`` ("YYYY-MM-DDTHH:MM"), and how the ghost names it.
  function plannedAt(entry, target) {
    var time = entry.getAttribute("data-time") || "10:00";
    var hour = target.getAttribute("data-hour");
    if (hour !== null) { time = pad(parseInt(hour, 10)) + ":" + time.slice(3); }
    return { value: target.getAttribute("data-date") + "T" + time, label: (target.getAttribute("data-label") || "") + ", " + time };
  }

  function targetAt(x, y) {
    var el = document.elementFromPoint(x, y);
    var root = body();
    var target = el && el.closest("[data-date]");
    return target && root && root.contains(target) ? target : null;
  }

  function highlight(target) {
    document.querySelectorAll(".calendar__drop-target").forEach(function (el) {
      if (el !== target) { el.classList.remove("calendar__drop-target"); }
    });
    if (target) { target.classList.add("calendar__drop-target"); }
  }

  function begin() {
    var entry = drag.entry;
    drag.active = true;
    clearError();
    if (window.getSelection) { window.getSelection().removeAllRanges(); }
    try { entry.setPointerCapture(drag.pointerId); } catch (e) { /* a pointer the browser does not track */ }
    entry.classList.add("calendar__entry--dragging");
    document.documentElement.classList.add("calendar-dragging");
    var ghost = document.createElement("div");
    ghost.className = "calendar__ghost";
    ghost.setAttribute("aria-hidden", "true");
    var title = document.createElement("span");
    var link = entry.querySelector("a");
    title.textContent = link ? link.textContent.trim() : entry.getAttribute("data-title") || "";
    var when = document.createElement("span");
    when.className = "calendar__ghost-when";
    ghost.appendChild(when);
    ghost.appendChild(title);
    document.body.appendChild(ghost);
    drag.ghost = ghost;
    drag.when = when;
  }

  function track() {
    var target = targetAt(drag.x, drag.y);
    drag.target = target;
    highlight(target);
    drag.when.textContent = target ? "→ " + plannedAt(drag.entry, target).label : "";
    drag.ghost.style.left = Math.min(drag.x + 14, window.innerWidth - drag.ghost.offsetWidth - 4) + "px";
    drag.ghost.style.top = (drag.y + 14) + "px";
  }

  // While the pointer is near the top or bottom edge, the page scrolls (the handle takes no touch scrolling).
  function autoscroll() {
    if (!drag || !drag.active) { return; }
    var step = drag.y < EDGE ? -12 : drag.y > window.innerHeight - EDGE ? 12 : 0;
    if (step) {
      window.scrollBy({ top: step, behavior: "instant" });
      track();
    }
    drag.scrolling = window.requestAnimationFrame(autoscroll);
  }

  function end() {
    if (!drag) { return null; }
    var finished = drag;
    if (finished.scrolling) { window.cancelAnimationFrame(finished.scrolling); }
    if (finished.ghost) { finished.ghost.remove(); }
    finished.entry.classList.remove("calendar__entry--dragging");
    document.documentElement.classList.remove("calendar-dragging");
    highlight(null);
    try { finished.entry.releasePointerCapture(finished.pointerId); } catch (e) { /* already released */ }
    drag = null;
    if (finished.active) {
      // The click that follows the release must not open the post.
      suppressClick = true;
      window.setTimeout(function () { suppressClick = false; }, 0);
    }
    return finished;
  }

  function cancel() {
    var finished = end();
    if (finished && finished.active) { say(text("cancelled")); }
  }

  document.addEventListener("pointerdown", function (event) {
    if (drag || !event.isPrimary || event.button !== 0) { return; }
    var entry = event.target.closest && event.target.closest("[data-reschedule-url]");
    if (!entry || entry.classList.contains("calendar__entry--saving")) { return; }
    var onGrip = event.target.closest(".calendar__grip");
    if (!onGrip) {
      if (event.pointerType !== "mouse") { return; } // a finger on the entry scrolls the page
      if (event.target.closest(".calendar__move")) { return; } // the "Move" form stays a form
    } else {
      event.preventDefault(); // no text selection, no emulated mouse events
    }
    drag = {
      entry: entry, pointerId: event.pointerId, active: false,
      x: event.clientX, y: event.clientY, startX: event.clientX, startY: event.clientY,
    };
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointerId) { return; }
    drag.x = event.clientX;
    drag.y = event.clientY;
    if (!drag.active) {
      if (Math.abs(drag.x - drag.startX) < THRESHOLD && Math.abs(drag.y - drag.startY) < THRESHOLD) { return; }
      begin();
      drag.scrolling = window.requestAnimationFrame(autoscroll);
    }
    event.preventDefault();
    track();
  });

  document.addEventListener("pointerup", function (event) {
    if (!drag || event.pointerId !== drag.pointerId) { return; }
    var target = drag.active ? targetAt(event.clientX, event.clientY) : null;
    var finished = end();
    if (finished.active && target) { move(finished.entry, target); }
  });

  document.addEventListener("pointercancel", function (event) {
    if (drag && event.pointerId === drag.pointerId) { cancel(); }
  });

  document.addEventListener("keydown", function (event) {
    if (drag && event.key === "Escape") {
      event.preventDefault();
      cancel();
    }
  });

  // Native drag and drop of the title link or the icons would take the pointer away (pointercancel).
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest("[data-reschedule-url]")) { event.preventDefault(); }
  });
  document.addEventListener("selectstart", function (event) {
    if (drag) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    if (suppressClick) {
      event.preventDefault();
      event.stopPropagation();
      suppressClick = false;
    }
  }, true);

  function move(entry, target) {
    var when = plannedAt(entry, target);
    if (when.value === entry.getAttribute("data-planned-at")) { return; } // dropped where it was
    var url = entry.getAttribute("data-reschedule-url");
    var title = entry.getAttribute("data-title") || "";
    var form = new URLSearchParams();
    form.append("planned_at", when.value);
    entry.classList.add("calendar__entry--saving");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token(), "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok && data.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) {
        entry.classList.remove("calendar__entry--saving");
        showError(result.data.message || text("failed"));
        return;
      }
      say(text("moved").replace("{title}", title).replace("{when}", result.data.when || when.label));
      refresh(url);
    }).catch(function () {
      // Not JSON (the session ended, the CSRF check failed) or no answer: nothing was moved.
      entry.classList.remove("calendar__entry--saving");
      showError(text("failed"));
    });
  }

  // The calendar as the server now renders it, in place (scroll position and live region stay).
  function refresh(movedUrl) {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("calendar-body");
        var root = body();
        if (!fresh || !root) { throw new Error("no calendar"); }
        root.innerHTML = fresh.innerHTML;
        var focused = false;
        root.querySelectorAll('[data-reschedule-url="' + movedUrl + '"]').forEach(function (el) {
          el.classList.add("calendar__entry--moved");
          // Focus goes to the moved post where it now is (the dragged element was replaced).
          var link = el.querySelector("a");
          if (!focused && link && el.offsetParent !== null) {
            link.focus({ preventScroll: true });
            focused = true;
          }
        });
        root.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { window.location.reload(); });
  }
})();
