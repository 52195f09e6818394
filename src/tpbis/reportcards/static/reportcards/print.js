// "Cetak" buttons open the browser's print dialog; the print stylesheet does the rest.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) window.print();
  });
})();
