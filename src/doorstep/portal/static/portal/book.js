// Progressive enhancement for the booking page: choosing the equipment, the service type
// or a day fetches the days and times at once, without reloading the page. Without
// JavaScript the "Show times" button does the same with a page load.
(function () {
  "use strict";
  var form = document.getElementById("book-form");
  if (!form || !window.fetch) return;
  var when = document.getElementById("when");
  var pending = null;
  var shown = null;  // the query whose times are on the page

  // The field's value as chosen now, or (`sent`) as the page came from the server.
  function valueOf(field, sent) {
    if (field.options) {  // a list
      if (!sent) return field.value;
      var listed = Array.prototype.filter.call(field.options, function (option) { return option.defaultSelected; });
      return listed.length ? listed[0].value : (field.options.length ? field.options[0].value : "");
    }
    if (field.type && field.type !== "radio" && field.type !== "checkbox") return sent ? field.defaultValue : field.value;
    var value = "";  // a group of radio buttons, or a single one
    Array.prototype.forEach.call(field.length !== undefined ? field : [field], function (radio) {
      if (sent ? radio.defaultChecked : radio.checked) value = radio.value;
    });
    return value;
  }

  function currentQuery(sent) {
    var params = new URLSearchParams();
    ["asset", "service_type", "day"].forEach(function (name) {
      var field = form.elements[name];
      var value = field ? valueOf(field, sent) : "";
      if (value) params.set(name, value);
    });
    if (form.dataset.booking) params.set("booking", form.dataset.booking);
    return params.toString();
  }

  function refresh() {
    var query = currentQuery();
    if (pending) pending.abort();
    if (query === shown) return;  // back to the choice whose times are already here
    pending = new AbortController();
    when.setAttribute("aria-busy", "true");
    fetch(form.dataset.timesUrl + "?" + query, {
      credentials: "same-origin",
      signal: pending.signal,
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) {
        // Keep the keyboard where it was: swapping the list out from under the focus
        // would send a keyboard user back to the top of the page.
        var focused = document.activeElement && when.contains(document.activeElement) ? document.activeElement.id : "";
        // A time picked while the list was on its way stays picked if it is still free.
        var picked = when.querySelector('input[name="start"]:checked');
        when.innerHTML = html;
        shown = query;
        if (picked) {
          Array.prototype.forEach.call(when.querySelectorAll('input[name="start"]'), function (radio) {
            if (radio.value === picked.value) radio.checked = true;
          });
        }
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        var status = document.getElementById("times-status");
        var times = when.querySelectorAll('input[name="start"]').length;
        var day = form.elements.day && form.elements.day.value;
        if (status) status.textContent = day ? (times ? interpolate(ngettext("%(count)s free time shown.", "%(count)s free times shown.", times), { count: times }, true) : gettext("No free times that day.")) : "";
      })
      .catch(function (error) { if (error.name !== "AbortError") { var problem = document.createElement("p"); problem.className = "message message--error"; problem.setAttribute("role", "alert"); problem.textContent = gettext("Could not load the times. Please try again."); when.insertAdjacentElement("afterbegin", problem); } })
      .finally(function () { when.removeAttribute("aria-busy"); });
  }

  // A choice made before this script ran (a slow connection, a quick hand) has fired its
  // change event already: catch up once, if the page does not show what is chosen now.
  var serviceChosen = form.querySelector('input[name="service_type"]:checked');
  if (document.getElementById("id_day")) {
    shown = currentQuery(true);  // the days and times the page came with
    if (currentQuery(false) !== shown) refresh();
  } else if (serviceChosen || form.dataset.booking) refresh();

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "asset" || name === "service_type" || name === "day") refresh();
  });
})();
