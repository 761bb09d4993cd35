/* Clientela: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // Mobile navigation toggle.
  function setupNav() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("sidebar");
    if (!toggle || !nav) return;
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { var first = nav.querySelector("a"); if (first) first.focus(); }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && nav.classList.contains("open")) {
        nav.classList.remove("open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  // Forms and buttons with data-confirm ask before submitting.
  function setupConfirm() {
    document.addEventListener("submit", function (e) {
      var form = e.target;
      var message = form.getAttribute("data-confirm") || (e.submitter && e.submitter.getAttribute("data-confirm"));
      if (message && !window.confirm(message)) e.preventDefault();
    }, true);
  }

  // Close open <details> menus when clicking elsewhere or pressing Escape.
  function setupMenus() {
    document.addEventListener("click", function (e) {
      document.querySelectorAll("details.menu[open]").forEach(function (d) {
        if (!d.contains(e.target)) d.removeAttribute("open");
      });
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      document.querySelectorAll("details.menu[open]").forEach(function (d) {
        d.removeAttribute("open");
        var s = d.querySelector("summary"); if (s) s.focus();
      });
      var popup = document.getElementById("search-popup");
      if (popup) popup.innerHTML = "";
    });
  }

  // Charts: <canvas data-chart="json-script-id"> reads its Chart.js configuration from a
  // <script type="application/json"> block rendered by the server (no inline script).
  function renderCharts(root) {
    if (!window.Chart) return;
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas._chart) return;
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) return;
      var config = JSON.parse(source.textContent);
      canvas._chart = new window.Chart(canvas, config);
    });
  }
  window.ClientelaCharts = { render: renderCharts };

  // Relative countdowns: <time data-countdown datetime="ISO"> shows "in 2 h 10 min" / "3 h ago".
  function updateCountdowns() {
    var lang = document.documentElement.lang || "es";
    var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
    if (!rtf) return;
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var target = Date.parse(el.getAttribute("datetime"));
      if (isNaN(target)) return;
      var minutes = Math.round((target - Date.now()) / 60000);
      var text;
      if (Math.abs(minutes) < 60) text = rtf.format(minutes, "minute");
      else if (Math.abs(minutes) < 60 * 48) text = rtf.format(Math.round(minutes / 60), "hour");
      else text = rtf.format(Math.round(minutes / 1440), "day");
      el.textContent = text;
    });
  }

  onReady(function () {
    setupNav();
    setupConfirm();
    setupMenus();
    renderCharts();
    updateCountdowns();
    setInterval(updateCountdowns, 30000);
    // Chart.js may load after this file (a page's own deferred script): draw again once all is loaded.
    window.addEventListener("load", function () { renderCharts(); });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      renderCharts(e.target);
      updateCountdowns();
    });
  });
})();

// A link to a closed <details> (e.g. "Log interaction") opens it and focuses its first field.
(function () {
  function openTarget() {
    var id = window.location.hash.slice(1);
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") {
      el.open = true;
      var field = el.querySelector("input, select, textarea");
      if (field) field.focus();
    }
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
