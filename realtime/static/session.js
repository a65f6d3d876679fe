// Sessions end everywhere: when the server ends this page's session (logout on another device,
// the account disabled, the password changed) it sends "session_ended" and closes the socket;
// when the user lost access to the incident shown here it sends "access_ended". Say so, move on.
(function () {
  "use strict";
  var notes = document.getElementById("session-notes");
  var socket = (window.Concord && window.Concord.socket) || (window.ConcordToasts && window.ConcordToasts.socket);
  if (!notes || !socket) return;

  function banner(text) {
    var p = document.createElement("p");
    p.className = "error session-banner";
    p.setAttribute("role", "alert");
    p.textContent = text;
    var main = document.querySelector("main") || document.body;
    main.insertBefore(p, main.firstChild);
  }

  socket.on("session_ended", function () {
    banner(notes.dataset.ended);
    socket.io.opts.reconnection = false;
    setTimeout(function () {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
    }, 1500);
  });

  socket.on("access_ended", function (msg) {
    var here = window.Concord && window.Concord.incidentId;
    if (!msg || (here && msg.incident_id !== here)) return;
    banner(notes.dataset.accessEnded);
    setTimeout(function () { window.location.assign("/"); }, 2000);
  });
})();
