// Group forms: filter the friend checkboxes by name or username as you type.
for (const input of document.querySelectorAll("input[data-filter-target]")) {
  const target = document.querySelector(input.dataset.filterTarget);
  if (!target) continue;
  input.addEventListener("input", () => {
    const needle = input.value.trim().toLowerCase();
    for (const option of target.querySelectorAll("div, li")) {
      if (!option.querySelector("input")) continue;
      option.hidden = needle !== "" && !option.textContent.toLowerCase().includes(needle);
    }
  });
}
