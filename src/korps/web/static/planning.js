// Scenario page: the export links carry the weights that are on screen (saved or not).
(function () {
  "use strict";
  function update(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (/^w\d{1,2}__/.test(name)) { params.append(name, String(value)); }
    });
    document.querySelectorAll("a.export").forEach(function (link) {
      var url = new URL(link.getAttribute("href"), window.location.href);
      var keep = new URLSearchParams();
      url.searchParams.forEach(function (value, name) {
        if (!/^w\d{1,2}__/.test(name)) { keep.append(name, value); }
      });
      params.forEach(function (value, name) { keep.append(name, value); });
      url.search = keep.toString();
      link.setAttribute("href", url.pathname + (url.search ? url.search : ""));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("gewichten");
    if (!form) { return; }
    form.addEventListener("input", function () { update(form); });
    update(form);
  });
})();
