// Autosave of a report draft and a warning before leaving unsaved input (issue 12).
// After a pause in typing (data-autosave milliseconds) the form is saved exactly as "Simpan draf" does: the same
// view, the same service and the same optimistic lock (the hidden version field, refreshed by every save). A
// conflict answer (another save happened elsewhere) stops autosaving and leaves its message on the page.
(() => {
  const FORM = "#report-form";
  let dirty = false; // input typed since the last successful save
  let edits = 0; // counts edits, so a save that started before the latest keystroke does not clear "dirty"
  let savedEdits = 0;
  let timer = null;
  let leaving = false; // a normal form submission (submit, prefill) is not "leaving with unsaved input"
  let stopped = false;

  const form = () => document.querySelector(FORM);

  const save = () => {
    const f = form();
    if (!f || stopped || !dirty) return;
    // The live completeness meter (data-live-check) checks without saving: it does not hold a save back.
    const busy = Array.from(f.querySelectorAll(".htmx-request")).some((el) => !el.closest("[data-live-check]"));
    if (busy || f.classList.contains("htmx-request")) {
      schedule(); // a save is on its way; try again after it
      return;
    }
    const button = f.querySelector("[data-testid='tombol-simpan']");
    f.dataset.autosaving = "1";
    savedEdits = edits;
    if (button) f.requestSubmit(button);
  };

  const schedule = () => {
    const f = form();
    if (!f) return;
    clearTimeout(timer);
    timer = setTimeout(save, parseInt(f.dataset.autosave, 10) || 2000);
  };

  document.addEventListener("input", (event) => {
    if (!event.target.closest(FORM) || event.target.type === "file") return;
    dirty = true;
    edits += 1;
    schedule();
  });
  document.addEventListener("change", (event) => {
    if (!event.target.closest(FORM) || event.target.type === "file") return;
    dirty = true;
    edits += 1;
    schedule();
  });

  // Which field had the focus, so that a save that redraws the page (after an error) does not lose the caret.
  let focused = null;
  document.addEventListener("htmx:beforeSwap", () => {
    const active = document.activeElement;
    focused = active && active.closest(FORM) && active.name ? { name: active.name, end: active.value.length } : null;
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!focused) return;
    const again = document.querySelector(`${FORM} [name="${CSS.escape(focused.name)}"]`);
    if (again && document.activeElement !== again) {
      again.focus();
      if (typeof again.setSelectionRange === "function" && ["text", "search", "tel", "url"].includes(again.type)) {
        again.setSelectionRange(again.value.length, again.value.length);
      }
    }
    focused = null;
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const f = form();
    if (!f || !(event.detail.elt === f || f.contains(event.detail.elt))) return;
    if (event.detail.elt.closest("[data-live-check]")) return; // the live meter saves nothing
    delete f.dataset.autosaving;
    if (!event.detail.successful) return;
    if (document.querySelector("[data-testid='pesan-bentrok']")) {
      stopped = true; // someone else saved: the user reloads before going on, as the message says
      return;
    }
    if (edits === savedEdits) dirty = false;
  });

  document.addEventListener("submit", (event) => {
    // htmx handles the entry form's own save; any other submission of it (submit, prefill) leaves the page.
    const submitter = event.submitter;
    if (event.target.matches(FORM) && submitter && submitter.hasAttribute("formaction")) leaving = true;
  });

  window.addEventListener("beforeunload", (event) => {
    if (!dirty || leaving || stopped || !form()) return;
    event.preventDefault();
    event.returnValue = form().dataset.unsavedWarning || "";
  });
})();
