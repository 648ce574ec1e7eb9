// Small progressive enhancements; every page works without this file.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!(target instanceof Element)) return;
  if (target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
    return;
  }
  var confirmer = target.closest("[data-confirm]");
  if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
