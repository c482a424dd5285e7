// Progressive enhancement for every portal page, loaded by the base layout.
(function () {
  "use strict";

  // After a page load, put the focus where the news is: the list of problems with what
  // was sent, else the page's message ("Your profile is saved."), else its heading. A
  // screen reader then reads what happened instead of starting from the site's name.
  // The sign-in pages' forms have no summary: their error for the whole form, else the
  // first field refused (read out with its error, which it names with aria-describedby).
  function focusStart() {
    if (document.activeElement && document.activeElement !== document.body) return; // autofocus
    if (window.location.hash) return; // the link asked for another place
    var field = document.querySelector("main form [aria-invalid=true]");
    if (field && !document.querySelector(".error-summary, main .errorlist.nonfield")) {
      field.focus();
      return;
    }
    // A page's place for messages may be empty, kept for what a tap will say (tech.js).
    var said = Array.prototype.filter.call(document.querySelectorAll("main .messages"),
      function (box) { return box.textContent.trim() !== ""; })[0];
    var target = document.querySelector(".error-summary") ||
      document.querySelector("main .errorlist.nonfield") ||
      said ||
      document.querySelector("main h1");
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.classList.add("focus-start");
    target.focus({ preventScroll: true });
  }

  // Long texts show how many characters are left before their limit (data-max-length).
  // The server refuses a longer text and says so; nothing is cut here.
  var ANNOUNCE_AT = [200, 100, 50, 0];

  function counter(area) {
    var limit = parseInt(area.getAttribute("data-max-length"), 10);
    if (!limit || !area.id) return;
    var shown = document.createElement("p");
    shown.className = "help counter";
    shown.id = area.id + "_counter";
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", spoken);
    area.insertAdjacentElement("afterend", shown);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + shown.id);
    var lastBand = null;

    function update() {
      var left = limit - area.value.length;
      // The words come from the page's language catalog (/jsi18n/), numbers in its format.
      var lang = document.documentElement.lang || undefined;
      var text = left >= 0
        ? interpolate(ngettext("%(left)s character left of %(limit)s", "%(left)s characters left of %(limit)s", left),
            { left: left.toLocaleString(lang), limit: limit.toLocaleString(lang) }, true)
        : interpolate(ngettext("%(over)s character too many: please shorten it", "%(over)s characters too many: please shorten it", -left),
            { over: (-left).toLocaleString(lang) }, true);
      shown.textContent = text;
      shown.classList.toggle("counter--over", left < 0);
      shown.classList.toggle("counter--near", left >= 0 && left <= ANNOUNCE_AT[0]);
      // Spoken only when crossing a band, not on every key.
      var band = null;
      for (var i = 0; i < ANNOUNCE_AT.length; i++) { if (left <= ANNOUNCE_AT[i]) band = ANNOUNCE_AT[i]; }
      if (left < 0) band = -1;
      if (band !== lastBand && band !== null) spoken.textContent = text;
      lastBand = band;
    }
    area.addEventListener("input", update);
    update();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-max-length]"), counter);
    focusStart();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
