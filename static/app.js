// Small progressive enhancements; every page works without this file.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!(target instanceof Element)) return;
  if (target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
    return;
  }
  // A check before sharing, so that nobody is asked to confirm what cannot be done: every field
  // of the form marked `data-needed-for-sharing` must have a value; the summary named by
  // `data-check-sharing` lists those that do not, each a link to its field.
  var checker = target.closest("[data-check-sharing]");
  if (checker && checker.form) {
    var summary = document.getElementById(checker.getAttribute("data-check-sharing"));
    var missing = [];
    checker.form.querySelectorAll("[data-needed-for-sharing]").forEach(function (field) {
      var empty = field.value === "";
      if (empty) {
        field.setAttribute("aria-invalid", "true");
        missing.push(field);
      } else if (field.getAttribute("aria-invalid") === "true" && !field.hasAttribute("aria-describedby")) {
        field.removeAttribute("aria-invalid");
      }
    });
    if (summary && missing.length > 0) {
      event.preventDefault();
      var list = summary.querySelector("ul");
      list.textContent = "";
      missing.forEach(function (field) {
        var link = document.createElement("a");
        link.href = "#" + field.id;
        link.textContent = field.getAttribute("data-needed-for-sharing");
        var item = document.createElement("li");
        item.appendChild(link);
        list.appendChild(item);
      });
      summary.hidden = false;
      summary.focus();
      return;
    }
    if (summary) summary.hidden = true;
  }
  var confirmer = target.closest("[data-confirm]");
  if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// The editor answers a refused form with the form again and its messages (422, or 409 when someone
// else changed the draft first); htmx 2 does not swap error responses by default, so let these in.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 422 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Any other failed htmx request would otherwise change nothing on the screen without a word.
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  if (status === 422 || status === 409 || status === 401) return;
  window.alert("The change could not be made (" + status + " " + event.detail.xhr.statusText +
    "). Reload the page and try again.");
});
document.addEventListener("htmx:sendError", function () {
  window.alert("Trellis could not be reached. Check the connection and try again.");
});

// Copy buttons: `data-copy` names (as a selector) the element whose text to copy. The buttons are
// hidden until this script shows them, so that a page without JavaScript offers none.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.hidden = false;
});
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!(target instanceof Element)) return;
  var button = target.closest("[data-copy]");
  if (!button) return;
  var source = document.querySelector(button.getAttribute("data-copy"));
  if (!source) return;
  var text = source.textContent.trim();
  var done = function () {
    button.textContent = "Copied";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () {
      selectText(source);
    });
  } else {
    selectText(source);
    if (document.execCommand && document.execCommand("copy")) done();
  }
});
function selectText(element) {
  var range = document.createRange();
  range.selectNodeContents(element);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
