// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Region picker: clicking an option fills the hidden code input and shows the chosen label.
  document.addEventListener("click", function (event) {
    var option = event.target.closest ? event.target.closest(".picker-option") : null;
    if (!option) return;
    var picker = option.closest(".picker");
    if (!picker) return;
    var hidden = picker.querySelector("input[data-picker-value]");
    var search = picker.querySelector("input[data-picker-search]");
    var chosen = picker.querySelector(".picker-chosen");
    hidden.value = option.dataset.code;
    if (chosen) chosen.textContent = option.dataset.label + " (" + option.dataset.code + ")";
    if (search) search.value = "";
    var results = picker.querySelector(".picker-box");
    if (results) results.innerHTML = "";
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  });
  // Copy-to-clipboard buttons for invitation texts.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button || !navigator.clipboard) return;
    var source = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(source.innerText).then(function () {
      button.dataset.original = button.dataset.original || button.textContent;
      button.textContent = button.dataset.done || "✓";
      setTimeout(function () { button.textContent = button.dataset.original; }, 2000);
    });
  });
  // From 1024 px the menu is open, as a sidebar (app.css); phones keep the ☰ toggle.
  var wide = window.matchMedia ? window.matchMedia("(min-width: 1024px)") : null;
  function menuForScreen() {
    var menu = document.querySelector("details.menu");
    if (menu && wide) menu.open = wide.matches;
  }
  menuForScreen();
  if (wide && wide.addEventListener) wide.addEventListener("change", menuForScreen);
  // "Cetak" buttons open the browser's print dialog; the print stylesheet does the rest.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) window.print();
  });
  // A period asked for the first time may take a few seconds nationally: the button says it is counting
  // and cannot be pressed twice.
  function periodBusy(form) {
    var button = form.querySelector("button[data-busy-label]");
    if (!button) return;
    button.textContent = button.getAttribute("data-busy-label");
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
  }
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form.period-form")) periodBusy(event.target);
  });
  // Choosing a preset period clears the custom dates and shows its figures at once.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-period-preset]")) return;
    var form = select.form;
    if (form.elements.mulai) form.elements.mulai.value = "";
    if (form.elements.sampai) form.elements.sampai.value = "";
    periodBusy(form);
    form.submit();
  });
  // Back to a page kept by the browser: the button is ready again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form.period-form button[data-busy-label]").forEach(function (button) {
      button.textContent = button.getAttribute("data-label");
      button.disabled = false;
      button.form.removeAttribute("aria-busy");
    });
  });
})();
