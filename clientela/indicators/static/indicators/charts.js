/* Chart.js loads after clientela.js: draw the page's charts once it is there. */
(function () {
  "use strict";
  if (window.ClientelaCharts) window.ClientelaCharts.render();
})();
