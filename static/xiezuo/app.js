// Small behaviours shared by every page; no inline scripts (CSP).
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) {
    event.target.form.submit();
  }
});

// Money and other steps that cannot be undone ask once more, naming what is
// about to happen (the form's data-confirm text, e.g. the amount and project).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches("[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
