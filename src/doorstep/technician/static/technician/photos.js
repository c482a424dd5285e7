/* The record of a visit in progress: photos queued on the phone and sent when the network
 * allows, each with its own upload id so a resend is not stored twice; and the customer's
 * signature drawn on a canvas. Without JavaScript the forms post as they are. */
(function () {
  "use strict";
  if (window.doorstepPhotos) { return; }  // one copy, however many visits include it
  window.doorstepPhotos = true;
  var _ = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) { return text.replace("%s", values[0]); };
  var RETRY_MS = 15000;
  var memory = [];  // the queue when IndexedDB is not available (private windows)
  var database = null;

  function openDatabase() {
    return new Promise(function (resolve) {
      if (!window.indexedDB) { resolve(null); return; }
      var request = indexedDB.open("doorstep-photos", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("queue", { keyPath: "id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { resolve(null); };
    });
  }

  function store(mode) { return database.transaction("queue", mode).objectStore("queue"); }

  function saveItem(item) {
    if (!database) { memory.push(item); return Promise.resolve(); }
    return new Promise(function (resolve) {
      var request = store("readwrite").put(item);
      request.onsuccess = resolve;
      request.onerror = function () { memory.push(item); resolve(); };
    });
  }

  function forget(item) {
    memory = memory.filter(function (other) { return other.id !== item.id; });
    if (database) { store("readwrite").delete(item.id); }
  }

  function queued() {
    if (!database) { return Promise.resolve(memory.slice()); }
    return new Promise(function (resolve) {
      var request = store("readonly").getAll();
      request.onsuccess = function () { resolve(request.result.concat(memory)); };
      request.onerror = function () { resolve(memory.slice()); };
    });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  var forms = {};
  var rows = {};
  var sending = false;

  function row(item) {
    if (rows[item.id]) { return rows[item.id]; }
    var form = forms[item.booking];
    if (!form) { return null; }
    var li = document.createElement("li");
    li.className = "record__item";
    var name = document.createElement("span");
    name.textContent = item.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", interpolate(_("Sending %s"), [item.name]));
    var state = document.createElement("span");
    state.textContent = _("Waiting to send");
    li.append(name, bar, state);
    form.querySelector("[data-photo-list]").append(li);
    rows[item.id] = { li: li, bar: bar, state: state };
    return rows[item.id];
  }

  function status(booking, text) {
    var form = forms[booking];
    if (form) { form.querySelector("[data-photo-status]").textContent = text; }
  }

  function sent(item, answer) {
    var shown = row(item);
    forget(item);
    if (!shown) { return; }
    var image = document.createElement("img");
    image.src = answer.thumbnail_url;
    image.alt = item.caption || item.tagLabel;
    image.width = 96;
    image.height = 96;
    shown.li.replaceChildren(image, document.createTextNode(item.tagLabel + (item.caption ? ": " + item.caption : "")));
    shown.li.className = "record__item record__item--done";
  }

  function refused(item, reason) {
    var shown = row(item);
    forget(item);
    if (shown) {
      shown.li.className = "record__item record__item--failed";
      shown.bar.remove();
      shown.state.textContent = reason;
    }
  }

  function send(item) {
    return new Promise(function (resolve) {
      var form = forms[item.booking];
      var shown = row(item);
      var body = new FormData();
      body.append("photo", item.file, item.name);
      body.append("tag", item.tag);
      body.append("caption", item.caption);
      body.append("client_upload_id", item.id);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", item.url);
      xhr.setRequestHeader("Accept", "application/json");
      var token = document.querySelector("[data-photo-form] [name=csrfmiddlewaretoken]");
      xhr.setRequestHeader("X-CSRFToken", token ? token.value : "");
      xhr.upload.onprogress = function (event) {
        if (shown && event.lengthComputable) {
          shown.bar.value = Math.round(100 * event.loaded / event.total);
          shown.state.textContent = interpolate(_("Sending: %s%"), [shown.bar.value]);
        }
      };
      xhr.onload = function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (error) { answer = {}; }
        if (xhr.status === 200 || xhr.status === 201) { sent(item, answer); resolve(true); }
        else if (xhr.status >= 400 && xhr.status < 500 && xhr.status !== 408 && xhr.status !== 429) {
          refused(item, answer.error || _("The photo was refused.")); resolve(true);
        } else { resolve(false); }
      };
      xhr.onerror = function () { resolve(false); };
      xhr.ontimeout = function () { resolve(false); };
      xhr.send(body);
    });
  }

  function pump() {
    if (sending) { return; }
    sending = true;
    queued().then(function (items) {
      var next = items[0];
      if (!next) { sending = false; return; }
      status(next.booking, interpolate(_("Photos to send: %s"), [items.length]));
      send(next).then(function (done) {
        sending = false;
        if (done) {
          queued().then(function (left) {
            if (!left.length) { status(next.booking, _("All photos sent.")); }
            pump();
          });
        } else {
          var shown = row(next);
          if (shown) { shown.state.textContent = _("Waiting for the network"); }
          status(next.booking, _("No network: the photos will be sent when it returns."));
          setTimeout(pump, RETRY_MS);
        }
      });
    });
  }

  function enqueue(form, files) {
    var checked = form.querySelector("[name=tag]:checked");
    var caption = form.querySelector("[name=caption]");
    var saves = Array.prototype.map.call(files, function (file) {
      var item = {
        id: newId(), booking: form.getAttribute("data-booking"), url: form.action, file: file,
        name: file.name || _("Photo"), tag: checked ? checked.value : "other",
        tagLabel: checked ? checked.parentNode.textContent.trim() : "", caption: caption.value.trim()
      };
      row(item);
      return saveItem(item);
    });
    caption.value = "";
    return Promise.all(saves).then(pump);
  }

  function setUpPhotos(form) {
    forms[form.getAttribute("data-booking")] = form;
    form.classList.add("is-enhanced");
    var input = form.querySelector("input[type=file]");
    function take() {
      if (input.files.length) { enqueue(form, input.files).then(function () { input.value = ""; }); }
    }
    input.addEventListener("change", take);
    take();  // photos chosen on a slow network before this script arrived
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  function setUpSignature(form) {
    var pad = form.querySelector("[data-signature-pad]");
    var canvas = form.querySelector("[data-signature-canvas]");
    var value = form.querySelector("[data-signature-value]");
    if (!pad || !canvas.getContext) { return; }
    pad.hidden = false;
    var context = canvas.getContext("2d");
    context.lineWidth = 3;
    context.lineCap = "round";
    context.strokeStyle = "#111";
    var drawing = false;
    var drawn = false;
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var at = point(event);
      context.beginPath();
      context.moveTo(at[0], at[1]);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var at = point(event);
      context.lineTo(at[0], at[1]);
      context.stroke();
      drawn = true;
    });
    ["pointerup", "pointercancel"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    form.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      value.value = "";
    });
    form.addEventListener("submit", function (event) {
      var saving = event.submitter && event.submitter.name === "action";
      value.value = !saving && drawn ? canvas.toDataURL("image/png") : "";
    });
  }

  function start() {
    document.querySelectorAll("[data-photo-form]").forEach(setUpPhotos);
    document.querySelectorAll("[data-record-form]").forEach(setUpSignature);
    openDatabase().then(function (opened) {
      database = opened;
      window.addEventListener("online", pump);
      pump();
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
