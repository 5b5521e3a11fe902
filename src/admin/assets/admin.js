// Progressive enhancement only: every page works without this file.
(() => {
  // Ask before destructive form posts (revoke, delete).
  document.addEventListener("submit", (e) => {
    var form = e.target;
    var msg = form?.getAttribute?.("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // Filters apply as soon as a select changes; "Custom…" reveals the from/to fields instead.
  document.querySelectorAll("select[data-autosubmit]").forEach((sel) => {
    sel.addEventListener("change", () => {
      if (sel.hasAttribute("data-toggle-custom")) {
        const custom = sel.value === "custom";
        document.querySelectorAll(".custom-range").forEach((el) => {
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
  document.querySelectorAll("tr.row-link").forEach((tr) => {
    tr.addEventListener("click", (e) => {
      if (e.target.closest("a, button, form")) return;
      window.location.href = tr.getAttribute("data-href");
    });
  });
  // Copy buttons.
  document.querySelectorAll("button.copy").forEach((btn) => {
    btn.addEventListener("click", () => {
      var text = btn.getAttribute("data-copy");
      var done = () => {
        var t = btn.textContent;
        btn.textContent = "Copied";
        setTimeout(() => {
          btn.textContent = t;
        }, 1200);
      };
      if (navigator.clipboard?.writeText) navigator.clipboard.writeText(text).then(done, () => {});
    });
  });
})();
