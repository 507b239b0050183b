// Citizen portal: keeps the aangifte form's draft in sessionStorage (it survives a reload of
// the page, not the closing of the browser tab), clears it once the receipt is shown, prints
// the receipt, and fills the team's status form from a message template. No inline script:
// the page's Content-Security-Policy allows only this file.
(function () {
  "use strict";

  function save(form, key) {
    var data = {};
    var goods = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "hidden" || field.type === "submit") return;
      if (field.name.indexOf("goed_") === 0) {
        (goods[field.name] = goods[field.name] || []).push(field.value);
      } else {
        data[field.name] = field.value;
      }
    });
    data.__goods = goods;
    try { window.sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* full or off */ }
  }

  function restore(form, key) {
    var text = null;
    try { text = window.sessionStorage.getItem(key); } catch (e) { return; }
    if (!text) return;
    var data;
    try { data = JSON.parse(text); } catch (e) { return; }
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "hidden" || field.type === "submit") return;
      if (field.name.indexOf("goed_") === 0) {
        var list = (data.__goods || {})[field.name] || [];
        var i = seen[field.name] || 0;
        seen[field.name] = i + 1;
        if (!field.value && list[i]) field.value = list[i];
      } else if (!field.value && typeof data[field.name] === "string") {
        field.value = data[field.name];
      }
    });
  }

  function wire(root) {
    var form = root.querySelector ? root.querySelector("form[data-concept]") : null;
    if (!form || form.dataset.wired) return;
    form.dataset.wired = "1";
    var key = form.dataset.concept;
    restore(form, key);
    form.addEventListener("input", function () { save(form, key); });
    form.addEventListener("change", function () { save(form, key); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wire(document);
    var receipt = document.querySelector("[data-wis-concept]");
    if (receipt) {
      try { window.sessionStorage.removeItem(receipt.getAttribute("data-wis-concept")); } catch (e) { /* off */ }
    }
    var template = document.querySelector("select[data-sjabloon]");
    if (template) {
      template.addEventListener("change", function () {
        var option = template.options[template.selectedIndex];
        var text = document.getElementById(template.getAttribute("data-sjabloon"));
        var status = template.form ? template.form.querySelector("select[name=status]") : null;
        if (text && option.value) text.value = option.value;
        if (status && option.getAttribute("data-status")) status.value = option.getAttribute("data-status");
      });
    }
    var print = document.querySelector("[data-afdrukken]");
    if (print) print.addEventListener("click", function () { window.print(); });
  });
  document.addEventListener("htmx:afterSwap", function (event) { wire(event.target.parentNode || document); });
})();
