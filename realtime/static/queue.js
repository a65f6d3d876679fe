// Incident queue (issue 12): countdowns to each incident's next deadline tick in the display zone.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll("#queue [data-countdown]").forEach(function (el) {
      var due = Date.parse(el.dataset.countdown);
      if (!isNaN(due)) el.textContent = window.ConcordClock.countdown(due - Date.now());
    });
  }
  tick();
  setInterval(tick, 1000);
})();
