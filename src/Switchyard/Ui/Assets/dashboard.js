// Switchyard dashboard: re-fetches server-rendered fragments marked data-refresh every data-interval seconds.
// A fragment answered with x-switchyard-refresh: done (the job or delivery it shows is finished) is the last one fetched.
// Served by the gateway (script-src 'self'); no inline script, no third party.
(function () {
  "use strict";
  function start(region) {
    var url = region.getAttribute("data-refresh");
    var seconds = parseInt(region.getAttribute("data-interval") || "10", 10);
    var toggle = document.getElementById("auto-refresh");
    var status = document.getElementById("refresh-status");
    var busy = false;
    var timer = null;
    function tick() {
      if (busy || (toggle && !toggle.checked) || document.hidden) { return; }
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "x-switchyard-fragment": "1" } })
        .then(function (response) {
          if (response.status === 401) { window.location.reload(); return null; }
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          if (response.headers.get("x-switchyard-refresh") === "done") { window.clearInterval(timer); }
          return response.text();
        })
        .then(function (text) {
          if (text !== null) {
            region.innerHTML = text;
            if (status) { status.textContent = "Updated " + new Date().toLocaleTimeString(); }
          }
        })
        .catch(function (error) {
          if (status) { status.textContent = "Refresh failed (" + error.message + "); retrying"; }
        })
        .then(function () { busy = false; });
    }
    timer = window.setInterval(tick, Math.max(2, seconds) * 1000);
  }
  function confirmForms() {
    var forms = document.querySelectorAll("form[data-confirm]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-refresh]"), start);
    confirmForms();
  });
})();
