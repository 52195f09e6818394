// The libraries' map on a province's or kabupaten/kota's dashboard (Leaflet, vendored). Each library is a
// dot in its KPI colour; its popup and the legend name the colour, so colour is never the only signal.
// Without a tile server (TILE_URL empty) or offline, the dots are drawn on a plain background.
(function () {
  "use strict";
  var INDONESIA = [[-11.2, 94.7], [6.2, 141.2]];

  function popup(point, scoreLabel) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.name;
    var colour = document.createElement("div");
    colour.className = "libmap-popup-colour";
    colour.textContent = point.label + " · " + scoreLabel + " " + point.score;
    box.appendChild(link);
    box.appendChild(colour);
    return box;
  }

  function draw(map, element, data) {
    var figure = element.closest("figure");
    var status = figure.querySelector("[data-libmap-status]");
    var bounds = [];
    data.points.forEach(function (point) {
      var marker = L.circleMarker([point.lat, point.lng], {
        radius: 8, color: "#1b1f23", weight: 1, fillColor: point.fill, fillOpacity: 0.9
      });
      marker.bindPopup(popup(point, element.dataset.scoreLabel));
      marker.addTo(map);
      var path = marker.getElement();
      if (path) {
        path.setAttribute("aria-label", point.name + ": " + point.label);
        path.setAttribute("data-colour", point.colour);
      }
      bounds.push([point.lat, point.lng]);
    });
    data.legend.forEach(function (entry) {
      var count = figure.querySelector('[data-libmap-count="' + entry.colour + '"]');
      if (count) count.textContent = "(" + entry.count + ")";
    });
    if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
    var messages = [];
    if (!data.points.length) messages.push(element.dataset.msgNone);
    if (data.without_location) messages.push(element.dataset.msgWithout.replace("{n}", data.without_location));
    status.textContent = messages.join(" ");
  }

  function start(element) {
    var map = L.map(element, { scrollWheelZoom: false });
    var tiles = element.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 18,
        attribution: element.dataset.attribution,
        // Tile servers (OpenStreetMap's among them) ask which site shows their tiles.
        referrerPolicy: "strict-origin-when-cross-origin"
      }).addTo(map);
    } else {
      element.classList.add("libmap-plain");
    }
    map.fitBounds(INDONESIA);
    fetch(element.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) { draw(map, element, data); })
      .catch(function () {
        element.closest("figure").querySelector("[data-libmap-status]").textContent = element.dataset.msgError;
      });
  }

  if (typeof L === "undefined") return;
  document.querySelectorAll("[data-libmap]").forEach(start);
})();
