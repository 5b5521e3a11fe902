// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Ask before destructive form posts (revoke, delete).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var msg = form && form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // Filters apply as soon as a select changes; "Custom…" reveals the from/to fields instead.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      if (sel.hasAttribute("data-toggle-custom")) {
        var custom = sel.value === "custom";
        document.querySelectorAll(".custom-range").forEach(function (el) {
          el.classList.toggle("hidden", !custom);
        });
        if (custom) return;
      }
      var form = sel.form;
      var cursor = form.querySelector("input[name=cursor]");
      if (cursor) cursor.remove();
      form.submit();
    });
  });
  // Whole audit rows open their detail.
  document.querySelectorAll("tr.row-link").forEach(function (tr) {
    tr.addEventListener("click", function (e) {
      if (e.target.closest("a, button, form")) return;
      window.location.href = tr.getAttribute("data-href");
    });
  });
  // Copy buttons.
  document.querySelectorAll("button.copy").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var text = btn.getAttribute("data-copy");
      var done = function () {
        var t = btn.textContent;
        btn.textContent = "Copied";
        setTimeout(function () {
          btn.textContent = t;
        }, 1200);
      };
      if (navigator.clipboard && navigator.clipboard.writeText)
        navigator.clipboard.writeText(text).then(done, function () {});
    });
  });
})();
