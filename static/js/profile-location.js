// The library profile's location: the phone's GPS fills latitude and longitude (they can be typed too).
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button) return;
  var status = document.querySelector("[data-locate-status]");
  var form = button.form;
  if (!("geolocation" in navigator)) {
    status.textContent = button.dataset.msgUnsupported;
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = button.dataset.msgBusy;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        // Six decimals are about ten centimetres: all a GPS on a phone can tell.
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        status.textContent = button.dataset.msgDone.replace("{m}", Math.round(position.coords.accuracy));
        button.disabled = false;
      },
      function (error) {
        status.textContent = error.code === error.PERMISSION_DENIED ? button.dataset.msgDenied : button.dataset.msgFailed;
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  });
})();
