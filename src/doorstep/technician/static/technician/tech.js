// Shares the technician's location while a visit is Traveling, and delivers queued pings;
// makes the status taps work in place. No build step. The page works without it: the
// status buttons are plain forms, and a tap then loads the page again.
(function () {
  "use strict";
  var MIN_INTERVAL_MS = 5000; // never more often than this
  var MAX_INTERVAL_MS = 30000; // a ping at least this often while traveling...
  var MIN_MOVE_M = 50; // ...or as soon as the phone has moved this far
  var BATCH = 100;
  var FRAGMENT_HEADER = "X-Tech-Fragment"; // technician/views.py answers with a fragment

  if (!window.fetch) return;
  var stopSharing = startSharing(document.querySelector("[data-location-sharing], [data-location-flush]"));
  setUpTaps();

  // --- Location sharing ---------------------------------------------------------------

  // Starts sharing (or delivering what is queued) for the page's sharing box; gives back
  // what stops it, for when a tap replaces the box.
  function startSharing(box) {
    if (!box) return function () {};
    var statusLine = box.querySelector("[data-sharing-status]");
    var sharing = box.hasAttribute("data-location-sharing");
    var url = box.getAttribute("data-ping-url");
    var csrf = box.getAttribute("data-csrf-token");
    // One queue per technician, so a shared phone never posts one person's trip as another's.
    var storageKey = "doorstep.tech.pings." + box.getAttribute("data-technician");
    var queue = load();
    var sending = false;
    var lastSent = null; // {lat, lon, at}
    var latest = null;
    var timer = null;
    var watchId = null;
    var problem = "";
    var failing = false; // the last delivery did not get through

    function load() {
      try { return JSON.parse(localStorage.getItem(storageKey)) || []; } catch (e) { return []; }
    }
    function save() {
      try { localStorage.setItem(storageKey, JSON.stringify(queue)); } catch (e) { /* private mode: memory only */ }
    }

    function show(text, kind) {
      statusLine.textContent = text;
      statusLine.className = "sharing__status sharing__status--" + kind;
    }
    function refresh() {
      if (!sharing) {
        if (queue.length) show(interpolate(ngettext("Location sharing is off. Sending %(count)s saved position…", "Location sharing is off. Sending %(count)s saved positions…", queue.length), { count: queue.length }, true), "waiting");
        else show(gettext("Location sharing is off. It starts when you tap “On my way”."), "off");
      } else if (problem) {
        show(problem, "error");
      } else if (!navigator.onLine || failing) {
        show(interpolate(ngettext(
          "Location sharing is on, but there is no connection: %(count)s position is saved and will be sent when it returns.",
          "Location sharing is on, but there is no connection: %(count)s positions are saved and will be sent when it returns.",
          queue.length), { count: queue.length }, true), "waiting");
      } else if (lastSent) {
        show(gettext("Location sharing is on: the customer can see where you are."), "on");
      } else {
        show(gettext("Location sharing is starting: waiting for your position…"), "waiting");
      }
    }

    function metres(a, b) { // haversine
      var rad = Math.PI / 180, r = 6371000;
      var dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
      var h = Math.pow(Math.sin(dLat / 2), 2) +
        Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.pow(Math.sin(dLon / 2), 2);
      return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    function onPosition(position) {
      var c = position.coords;
      latest = {
        lat: c.latitude, lon: c.longitude, at: position.timestamp || Date.now(),
        ping: {
          latitude: c.latitude, longitude: c.longitude,
          accuracy: c.accuracy, speed: c.speed, heading: isNaN(c.heading) ? null : c.heading,
          recorded_at: new Date(position.timestamp || Date.now()).toISOString()
        }
      };
      problem = "";
      decide();
    }

    function onError(error) {
      problem = error.code === 1
        ? gettext("Location sharing is off: allow this site to use your location, then reload the page.")
        : gettext("Location sharing is on, but your phone cannot find its position right now.");
      refresh();
    }

    // Send the latest position if it is due; if it is due but too soon, try again when allowed.
    function decide() {
      clearTimeout(timer);
      if (!latest || (lastSent && latest.at === lastSent.at)) return;
      var now = Date.now();
      var since = lastSent ? now - lastSent.sentAt : Infinity;
      var due = !lastSent || since >= MAX_INTERVAL_MS || metres(lastSent, latest) >= MIN_MOVE_M;
      if (!due) return;
      if (since < MIN_INTERVAL_MS) { timer = setTimeout(decide, MIN_INTERVAL_MS - since); return; }
      lastSent = { lat: latest.lat, lon: latest.lon, at: latest.at, sentAt: now };
      queue.push(latest.ping);
      save();
      flush();
    }

    // Posts queued pings oldest first, one request at a time, so they arrive in order.
    function flush() {
      refresh();
      if (sending || !queue.length || !navigator.onLine) return;
      sending = true;
      var batch = queue.slice(0, BATCH);
      fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ pings: batch })
      }).then(function (response) {
        // Refused pings (4xx) would be refused again: drop them. Keep them on a server
        // error, a throttle, or a lost sign-in, and try again later.
        var retry = response.status >= 500 || response.status === 429 ||
          response.status === 401 || response.status === 403;
        if (response.status === 401 || response.status === 403) {
          problem = gettext("Location sharing is paused: sign in again to send your position.");
        }
        return retry;
      }, function () { return true; /* offline or the server unreachable */ }).then(function (retry) {
        sending = false;
        failing = retry;
        if (!retry) {
          if (problem.indexOf("sign in") !== -1) problem = "";
          queue.splice(0, batch.length);
          save();
          if (queue.length) { flush(); return; }
        }
        refresh();
      });
    }

    // A phone standing still reports nothing: ask for its position so a ping still goes at
    // least every MAX_INTERVAL_MS, and retry what is queued.
    function tick() {
      if (sharing && lastSent && Date.now() - lastSent.sentAt >= MAX_INTERVAL_MS) {
        navigator.geolocation.getCurrentPosition(onPosition, onError, { enableHighAccuracy: true, maximumAge: 0 });
      }
      flush();
    }

    function stopWatching() {
      if (watchId !== null) navigator.geolocation.clearWatch(watchId);
      watchId = null;
    }

    window.addEventListener("online", flush);
    window.addEventListener("offline", refresh);
    if (sharing) {
      if (!navigator.geolocation) {
        show(gettext("Location sharing is off: this browser cannot share your location."), "error");
      } else {
        watchId = navigator.geolocation.watchPosition(onPosition, onError,
          { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 });
        window.addEventListener("pagehide", stopWatching);
      }
    }
    var ticker = setInterval(tick, MIN_INTERVAL_MS);
    flush();
    return function stop() {
      stopWatching();
      clearInterval(ticker);
      clearTimeout(timer);
      window.removeEventListener("online", flush);
      window.removeEventListener("offline", refresh);
      window.removeEventListener("pagehide", stopWatching);
    };
  }

  // --- Status taps in place -------------------------------------------------------------

  // A tap posts its form with fetch. The answer is either the day's visits as they now are
  // (with what happened, and the visit to focus) or a question to ask first ("this visit
  // is not today", "turn back from the other one?"), shown in a dialog whose answer is
  // posted the same way. Anything unexpected falls back to posting the form as it is.
  function setUpTaps() {
    var agenda = document.querySelector("[data-agenda]");
    var said = document.querySelector("[data-tap-said]");
    var dialog = document.querySelector("[data-confirm-dialog]");
    if (!agenda || !said || !dialog || typeof dialog.showModal !== "function") return;
    var busy = false;

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute || !form.hasAttribute("data-status-form") || form.dataset.plain) return;
      event.preventDefault();
      if (busy) return;
      busy = true;
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
      var headers = {};
      headers[FRAGMENT_HEADER] = "1";
      fetch(form.action, { method: "POST", body: data, headers: headers, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) { busy = false; answered(html, form); })
        .catch(function () { busy = false; plainPost(form); });
    });

    dialog.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("[data-dialog-close]")) dialog.close();
    });

    function plainPost(form) {
      form.dataset.plain = "1";
      if (dialog.open) dialog.close();
      form.submit();
    }

    function parse(html) {
      var holder = document.createElement("template");
      holder.innerHTML = html;
      return holder.content;
    }

    function answered(html, form) {
      var content = parse(html);
      var question = content.querySelector("[data-tap-confirm]");
      var result = content.querySelector("[data-tap-result]");
      if (question) { ask(question); return; }
      if (!result) { plainPost(form); return; }
      if (dialog.open) dialog.close();
      stopSharing();
      agenda.replaceChildren.apply(agenda, Array.prototype.slice.call(result.childNodes));
      stopSharing = startSharing(agenda.querySelector("[data-location-sharing], [data-location-flush]"));
      var message = document.createElement("p");
      message.className = "message message--" + (result.getAttribute("data-level") || "info");
      message.textContent = result.getAttribute("data-said") || "";
      said.replaceChildren(message);
      var target = document.getElementById(result.getAttribute("data-focus") || "");
      if (target) {
        target.focus({ preventScroll: true });
        target.scrollIntoView({ block: "start" });
      }
      loadRecordScript();
    }

    function ask(question) {
      dialog.replaceChildren.apply(dialog, Array.prototype.slice.call(question.childNodes));
      if (!dialog.open) dialog.showModal();
      var heading = dialog.querySelector("#confirm-title");
      if (heading) heading.focus();
    }

    // A visit that became In progress carries the form of its record (photos, signature),
    // whose script runs once a page: load it when the page did not have it yet.
    function loadRecordScript() {
      var wanted = agenda.querySelector("script[src]");
      if (!wanted) return;
      var source = wanted.getAttribute("src");
      if (window.doorstepPhotos) { if (document.querySelector("[data-photo-form]")) window.location.reload(); return; }
      var script = document.createElement("script");
      script.src = source;
      document.body.appendChild(script);
    }
  }
})();
