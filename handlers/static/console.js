// The agent console's queue keeps itself current: every few seconds it fetches the same page (same
// filters), and when the tickets or the figures changed it swaps them in and says so in a status
// line (read out by screen readers). No reload, and the agent's focus stays where it was.
(function () {
  "use strict";
  var results = document.getElementById("queue-results");
  var live = document.getElementById("queue-live");
  if (!results || !live || !window.fetch || !window.DOMParser) return;
  var seconds = Number(results.getAttribute("data-poll-seconds")) || 20;
  var busy = false;

  function references(root) {
    var found = {};
    root.querySelectorAll("tr[data-reference]").forEach(function (row) {
      found[row.getAttribute("data-reference")] = true;
    });
    return found;
  }

  function time() {
    var now = new Date();
    return ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
  }

  function swap(id, fresh) {
    var current = document.getElementById(id);
    if (!current || !fresh || current.innerHTML === fresh.innerHTML) return false;
    var focused = document.activeElement;
    var href = focused && current.contains(focused) ? focused.getAttribute("href") : null;
    current.innerHTML = fresh.innerHTML;
    if (href) {
      var again = current.querySelector('a[href="' + href.replace(/"/g, '\\"') + '"]');
      if (again) again.focus();
    }
    return true;
  }

  function check() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("queue not available");
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("queue-results");
        if (!fresh) return;
        var before = references(results);
        var added = Object.keys(references(fresh)).filter(function (ref) { return !before[ref]; });
        var changed = swap("queue-results", fresh);
        swap("queue-stats", page.getElementById("queue-stats"));
        if (added.length) {
          live.textContent = "Updated at " + time() + ": " + added.length + " new ticket" +
            (added.length === 1 ? "" : "s") + " (" + added.join(", ") + ").";
        } else if (changed) {
          live.textContent = "Updated at " + time() + ": tickets in this list changed.";
        }
      })
      .catch(function () { /* signed out or offline: try again next time */ })
      .then(function () { busy = false; });
  }

  window.setInterval(check, seconds * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) check(); });
})();
