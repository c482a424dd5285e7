/* The live map of a visit on its way (the Traveling state of the visit page).
 * Updates come over the WebSocket; when it fails or closes, the page polls its status
 * JSON (or, for a signed-in contact, the page itself). A socket that stays quiet for
 * data-quiet-ms gets one such check too: a connection a network dropped without a word,
 * or an update made where no socket hears it, leaves the page stale for that long at most.
 * The road still to go is one line on the map, redrawn with each update, when the routing
 * provider drew one (never for an offline estimate). Screen readers hear the ETA through
 * the status region at most once a minute, and at once when the visit runs late or stops
 * traveling. When the visit stops traveling, the page fetches itself and swaps its main
 * content. No build step: plain ES2017. */
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
  var root = document.querySelector("[data-live]");
  if (!root) return;
  var data = root.dataset;
  var stateNode = document.getElementById("live-state");
  var state = stateNode ? JSON.parse(stateNode.textContent) : {};
  var $ = function (name) { return root.querySelector("[data-live-" + name + "]"); };
  // Words from the page's language catalog (/jsi18n/); times on the 24-hour clock, as the page.
  var lang = document.documentElement.lang || undefined;
  var timeFormat = new Intl.DateTimeFormat(lang, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: data.timeZone || undefined,
  });
  var ANNOUNCE_MS = 60000;  // the status region speaks at most this often while traveling
  var announced = { text: etaText(state), late: !!state.late, at: Date.now() }, announceTimer = null;
  var map = null, technician = null, road = null, socket = null, pollTimer = null, done = false;
  var quietMs = +data.quietMs || 60000, lastHeard = Date.now();

  // As the page writes it: seconds below a minute, minutes below an hour, then hours.
  function ago(seconds) {
    var n = seconds < 60 ? seconds : seconds < 3600 ? Math.floor(seconds / 60) : Math.floor(seconds / 3600);
    var words = seconds < 60 ? ngettext("%(n)s second", "%(n)s seconds", n)
      : seconds < 3600 ? ngettext("%(n)s minute", "%(n)s minutes", n)
      : ngettext("%(n)s hour", "%(n)s hours", n);
    return interpolate(words, { n: n }, true);
  }
  // The sentence around the arrival time, split where the time goes.
  function etaParts(s) {
    return interpolate(ngettext("Arriving around %(time)s, in %(minutes)s minute.",
      "Arriving around %(time)s, in %(minutes)s minutes.", s.minutes),
      { time: "\u0000", minutes: s.minutes }, true).split("\u0000");
  }
  // Kept left to right inside right-to-left text (an isolate): Arabic showed "km 5.7".
  function distance(m) { return "\u2066" + (m < 1000 ? Math.round(m) + " m" : (m / 1000).toFixed(1) + " km") + "\u2069"; }

  function etaText(s) {
    if (!s.eta) return gettext("The arrival time is not known yet.");
    return etaParts(s).join(timeFormat.format(new Date(s.eta)));
  }
  function lateText(s) { return s.late ? gettext("This is later than your time window.") : ""; }

  // The visible ETA changes with every update; the status region at most once a minute
  // (a screen reader reading out every ping is noise), except when the visit runs late.
  function announce() {
    var text = [etaText(state), lateText(state)].join(" ").trim();
    var urgent = !!state.late !== announced.late;
    if (text === announced.text && !urgent) return;
    var wait = announced.at + ANNOUNCE_MS - Date.now();
    if (!urgent && wait > 0) {
      if (!announceTimer) announceTimer = setTimeout(function () { announceTimer = null; if (!done) announce(); }, wait);
      return;
    }
    clearTimeout(announceTimer);
    announceTimer = null;
    announced = { text: text, late: !!state.late, at: Date.now() };
    $("announce").textContent = text;
  }

  // Said at once when the visit stops traveling, before the page swaps its content.
  var LEFT = {
    in_progress: function () { return gettext("Your technician has arrived."); },
    completed: function () { return gettext("Your visit is complete."); },
    canceled: function () { return gettext("Your visit was canceled."); },
    scheduled: function () { return gettext("Your technician is no longer on the way."); },
  };

  function render() {
    var eta = $("eta");
    if (eta.textContent !== etaText(state)) {
      eta.textContent = "";
      if (state.eta) {
        var time = document.createElement("time");
        time.dateTime = state.eta;
        time.textContent = timeFormat.format(new Date(state.eta));
        var parts = etaParts(state);
        eta.append(parts[0], time, parts[1] || "");
      } else {
        eta.textContent = etaText(state);
      }
    }
    $("distance").textContent = state.distance_m == null ? "" : interpolate(gettext("%(distance)s to go."), { distance: distance(state.distance_m) }, true);
    $("late").textContent = lateText(state);
    announce();
    tick();
    if (!map) return;
    drawRoad();
    if (state.latitude == null || state.longitude == null) {
      if (technician) { technician.remove(); technician = null; }
      return;
    }
    var at = [state.latitude, state.longitude];
    if (technician) {
      technician.setLatLng(at);
    } else {
      technician = L.marker(at, {
        title: gettext("Your technician"), alt: gettext("Your technician"), keyboard: false, interactive: false,
        icon: L.divIcon({ className: "live__technician", iconSize: [22, 22] }),
      }).addTo(map);
    }
    var bounds = L.latLngBounds([at]);
    if (data.latitude && data.longitude) bounds.extend([+data.latitude, +data.longitude]);
    if (road) bounds.extend(road.getBounds());
    map.fitBounds(bounds, { padding: [32, 32], maxZoom: 16 });
  }

  // The road still to go, from the technician to the door: one polyline, moved in place.
  function drawRoad() {
    var points = state.route && state.route.length > 1 ? state.route : null;
    if (!points) {
      if (road) { road.remove(); road = null; }
      return;
    }
    if (road) {
      road.setLatLngs(points);
    } else {
      road = L.polyline(points, { className: "live__route", interactive: false, weight: 5, opacity: 0.8 }).addTo(map);
    }
  }

  function tick() {
    if (!state.updated_at) return;
    var seconds = Math.max(0, Math.round((Date.now() - new Date(state.updated_at)) / 1000));
    $("updated").textContent = interpolate(gettext("Updated %(ago)s ago."), { ago: ago(seconds) }, true);
  }

  // Each state is numbered in the order its change was committed (seq): one that arrives
  // after a newer one (a position sent as the technician turned back, say) is dropped.
  function update(next) {
    if (done || !next || !next.status) return;
    if (typeof next.seq === "number" && typeof state.seq === "number" && next.seq < state.seq) return;
    state = next;
    if (state.status !== "traveling") { leave(); return; }
    render();
  }

  // The visit is no longer on its way: show the page's new state, without the map.
  function leave() {
    done = true;
    clearTimeout(pollTimer);
    clearTimeout(announceTimer);
    if (socket) { socket.onclose = null; socket.close(); }
    if (map) { map.remove(); map = null; technician = null; road = null; }
    var region = $("announce");
    if (LEFT[state.status]) region.textContent = LEFT[state.status]();
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var main = page.querySelector("main");
        if (main) {
          var here = document.querySelector("main");
          here.innerHTML = main.innerHTML;
          here.append(region);  // the same live region: what it said is not said again
        }
        if (page.title) document.title = page.title;
      })
      .catch(function () {
        var note = document.createElement("p");
        note.textContent = gettext("Your visit has moved on. Reload the page to see where it stands.");
        root.replaceChildren(note);
      });
  }

  function fetchState() {
    return data.statusUrl
      ? fetch(data.statusUrl, { credentials: "same-origin" }).then(function (r) {
          return r.status === 404 ? { status: "gone" } : r.json();
        })
      : fetch(location.href, { credentials: "same-origin" }).then(function (r) {
          return r.text().then(function (html) {
            var node = new DOMParser().parseFromString(html, "text/html").getElementById("live-state");
            return node ? JSON.parse(node.textContent) : { status: "gone" };
          });
        });
  }

  function poll() {
    if (done) return;
    fetchState().then(update, function () {}).then(function () {
      if (!done) pollTimer = setTimeout(poll, +data.pollMs || 10000);
    });
  }

  function connect() {
    if (!data.socketPath || !window.WebSocket) { poll(); return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var fellBack = false;
    var fallBack = function () { if (!fellBack) { fellBack = true; socket = null; poll(); } };
    socket = new WebSocket(scheme + location.host + data.socketPath);
    socket.onmessage = function (event) { lastHeard = Date.now(); update(JSON.parse(event.data)); };
    socket.onerror = fallBack;
    socket.onclose = function (event) {
      if (event.code === 4404) { update({ status: "gone" }); return; }  // link no longer valid
      fallBack();
    };
  }

  // Without street images (offline, blocked, no provider) the page says so where the
  // map is; the markers stay on a blank map when Leaflet itself is there.
  function noStreets() {
    var note = root.querySelector("[data-live-no-map]");
    if (note) note.hidden = false;
  }

  function drawMap() {
    if (!data.latitude || !data.longitude) return;
    if (!window.L || !data.tileUrl) { noStreets(); if (!window.L) return; }
    var box = document.getElementById("live-map");
    box.hidden = false;
    var destination = [+data.latitude, +data.longitude];
    map = L.map(box, calmMapOptions()).setView(destination, 14);
    if (data.tileUrl) {
      var loaded = 0;
      L.tileLayer(data.tileUrl, {
        attribution: data.attribution, maxZoom: 19, referrerPolicy: "no-referrer",
      }).on("tileload", function () { loaded += 1; })
        .on("load", function () { if (!loaded) noStreets(); })
        .addTo(map);
    }
    // The marker's images are the vendored ones at their static addresses: Leaflet's own
    // guess from the stylesheet misses them once static file names carry a hash.
    var icon = L.icon({
      iconUrl: data.markerIcon, iconRetinaUrl: data.markerIcon2x, shadowUrl: data.markerShadow,
      iconSize: [25, 41], iconAnchor: [12, 41], shadowSize: [41, 41],
    });
    L.marker(destination, {
      title: gettext("Your address"), alt: gettext("Your address"), keyboard: false, icon: icon,
    }).addTo(map);
  }

  drawMap();
  render();
  setInterval(function () {
    if (done) return;
    tick();
    if (socket && Date.now() - lastHeard >= quietMs) {
      lastHeard = Date.now();
      fetchState().then(update, function () {});
    }
  }, 1000);
  connect();
})();
