// Profile form: keep the typed birth date (DD.MM[.YYYY]) and the calendar picker in step.
const box = document.querySelector("[data-birth-date]");
if (box) {
  const text = box.querySelector("input[type=text]");
  const picker = box.querySelector("input[type=date]");
  const pad = (n) => String(n).padStart(2, "0");

  picker.addEventListener("change", () => {
    if (!picker.value) return;
    const [year, month, day] = picker.value.split("-");
    text.value = `${day}.${month}.${year}`;
  });
  text.addEventListener("input", () => {
    const match = text.value.trim().match(/^(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?$/);
    picker.value = match && match[3] ? `${match[3]}-${pad(match[2])}-${pad(match[1])}` : "";
  });
}
