/* The service address on a map, on the page of an upcoming visit. Without Leaflet or
 * street images, the page says so; the address in text stays. No build step. Deferred:
 * it runs after the page's language catalog (gettext). */
(function () {
  "use strict";

  // A map that does not scroll the page with the wheel, and that does not animate its
  // zoom, tiles or markers for a reader who asked the system for reduced motion.
  function calmMapOptions() {
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return {
      scrollWheelZoom: false,
      zoomAnimation: !still,
      fadeAnimation: !still,
      markerZoomAnimation: !still,
      inertia: !still,
    };
  }
  var root = document.querySelector("[data-address-map]");
  if (!root) return;
  var data = root.dataset;
  var note = root.querySelector("[data-live-no-map]");
  function noStreets() { if (note) note.hidden = false; }
  if (!window.L || !data.tileUrl) noStreets();
  if (!window.L || !data.latitude || !data.longitude) return;
  var box = root.querySelector("[data-address-map-box]");
  box.hidden = false;
  var address = [+data.latitude, +data.longitude];
  var map = L.map(box, calmMapOptions()).setView(address, 16);
  if (data.tileUrl) {
    var loaded = 0;
    L.tileLayer(data.tileUrl, {
      attribution: data.attribution, maxZoom: 19, referrerPolicy: "no-referrer",
    }).on("tileload", function () { loaded += 1; })
      .on("load", function () { if (!loaded) noStreets(); })
      .addTo(map);
  }
  L.marker(address, {
    title: gettext("Your address"), alt: gettext("Your address"), keyboard: false,
    icon: L.icon({
      iconUrl: data.markerIcon, iconRetinaUrl: data.markerIcon2x, shadowUrl: data.markerShadow,
      iconSize: [25, 41], iconAnchor: [12, 41], shadowSize: [41, 41],
    }),
  }).addTo(map);
})();
