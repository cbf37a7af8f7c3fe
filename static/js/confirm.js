// One confirmation for every destructive action. A button (or a form) with
// `data-confirm="<translated question>"` asks in the page's <dialog id="confirm-dialog"> before
// it acts; the dialog's confirm button repeats the action's own label (`data-confirm-yes`
// overrides it). Buttons built by scripts are covered by their container:
// `data-confirm-each="<selector>"` + `data-confirm-text` on an ancestor.
// Capture phase: the question comes before any handler of the button or its form (htmx too).
// Cancel, Escape or a click outside leave everything as it was; focus returns to the button.

const dialog = document.getElementById("confirm-dialog");
let approved = null; // the one element whose next click is let through

function question(target) {
  const own = target.closest("[data-confirm]");
  if (own) return { trigger: own.matches("form") ? target : own, text: own.dataset.confirm, source: own };
  const container = target.closest("[data-confirm-each]");
  const match = container && target.closest(container.dataset.confirmEach);
  if (match && container.contains(match)) return { trigger: match, text: container.dataset.confirmText, source: match };
  return null;
}

function ask({ trigger, text, source }) {
  const yes = dialog.querySelector("[data-confirm-yes]");
  dialog.querySelector("[data-confirm-text]").textContent = text;
  yes.textContent = source.dataset.confirmYes || trigger.textContent.trim() || dialog.dataset.yes;
  dialog.returnValue = "";
  dialog.showModal();
  dialog.querySelector("[data-confirm-cancel]").focus();
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "yes" && trigger.isConnected) {
      approved = trigger;
      trigger.click();
    } else if (trigger.isConnected) {
      trigger.focus();
    }
  }, { once: true });
}

if (dialog) {
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const asked = question(target);
    if (!asked) return;
    // A click inside a form with data-confirm counts only from its submit buttons.
    if (asked.source.matches("form") && !target.closest("button[type=submit], button:not([type]), input[type=submit]")) return;
    if (approved === asked.trigger) { approved = null; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(asked);
  }, true);
  dialog.querySelector("[data-confirm-cancel]").addEventListener("click", () => dialog.close(""));
  dialog.querySelector("[data-confirm-yes]").addEventListener("click", () => dialog.close("yes"));
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(""); });
  // Until this module has run, a destructive button acts without asking (the form still works
  // without JavaScript); browser tests wait for this mark before they click one.
  document.documentElement.dataset.confirmReady = "1";
}
