// Ask before destructive buttons; no inline scripts (CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// The rule-set editor: a county row's fields are editable only when it overrides.
function syncOverride(box) {
  var row = box.closest("[data-rule-row]");
  if (!row) return;
  // Inherited rows are not saved; dim them rather than disabling the
  // inputs so the form still posts every field.
  row.querySelectorAll("[data-param]").forEach(function (cell) {
    cell.classList.toggle("opacity-50", !box.checked);
  });
}
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-override]")) syncOverride(event.target);
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-override]").forEach(syncOverride);
});
