/* Leaflet's own words in the page's language: the names of its zoom buttons, which a
 * screen reader reads and a pointer shows. Runs after Leaflet and before the maps. */
(function () {
  "use strict";
  if (!window.L || !window.gettext) return;
  L.Control.Zoom.mergeOptions({
    zoomInTitle: gettext("Zoom in"),
    zoomOutTitle: gettext("Zoom out"),
  });
})();
