// The live completeness meter of a report (issue 12). The meter (#completeness) posts the unsaved form to
// reporting:report-check after a pause in typing and swaps itself; each value it names as refusing the
// submission carries data-field (the input's id) and data-message. Here those inputs are outlined in red with
// the message beside them (is-invalid, aria-invalid, aria-describedby), and the outlines of the previous answer
// are taken away. Inputs the server already marked after a refused save or submission are left as they are.
(() => {
  const FORM = "#report-form";
  const SUFFIX = "_hambatan";

  const clear = (form) => {
    form.querySelectorAll("[data-live-invalid]").forEach((input) => {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      const rest = (input.getAttribute("aria-describedby") || "")
        .split(/\s+/)
        .filter((id) => id && id !== input.id + SUFFIX);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
      delete input.dataset.liveInvalid;
    });
    form.querySelectorAll(".live-feedback").forEach((note) => note.remove());
  };

  const outline = () => {
    const form = document.querySelector(FORM);
    const meter = document.querySelector("#completeness");
    if (!form || !meter) return;
    clear(form);
    meter.querySelectorAll("[data-field]").forEach((item) => {
      const input = document.getElementById(item.dataset.field);
      if (!input || input.type === "hidden" || !form.contains(input)) return;
      if (input.classList.contains("is-invalid") && !input.dataset.liveInvalid) return;
      const noteId = input.id + SUFFIX;
      let note = document.getElementById(noteId);
      if (note) {
        note.textContent = `${note.textContent} ${item.dataset.message}`;
        return;
      }
      note = document.createElement("div");
      note.className = "invalid-feedback d-block live-feedback";
      note.id = noteId;
      note.setAttribute("data-testid", `hambatan-${input.name}`);
      note.textContent = item.dataset.message;
      (input.closest(".input-group") || input).insertAdjacentElement("afterend", note);
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      const described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      input.setAttribute("aria-describedby", [...described, noteId].join(" "));
      input.dataset.liveInvalid = "1";
    });
  };

  document.addEventListener("htmx:load", (event) => {
    const elt = event.detail.elt;
    if (elt && elt.nodeType === 1 && (elt.id === "completeness" || elt.querySelector("#completeness"))) outline();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", outline);
  else outline();
})();
