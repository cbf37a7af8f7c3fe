// For every visible control outside user content (message text, reactions, stickers): the text a
// sighted person sees (visually hidden labels excluded) must hold no emoji or pictographic
// symbol; the control needs an accessible name; each icon SVG in it must have a box and draw a
// symbol from the sprite (the <use> element's own box is empty when the symbol is missing).
// Returns {problems: [text], icons: count}; used by tests/e2e/test_icons.py.
(() => {
  const symbol = /[\p{Extended_Pictographic}\u2190-\u21ff\u2300-\u23ff\u2500-\u27bf\u22ef\u2b00-\u2bff]/u;
  const userContent = ".msg-text, .msg-quote, .reaction-chip, .reaction-picker, .sticker-panel, .post-text";
  const shown = (node) => { const r = node.getBoundingClientRect(); return r.width > 1 && r.height > 1; };
  const problems = [];
  let icons = 0;
  for (const control of document.querySelectorAll("button, summary, a[href], label[for], [role=button]")) {
    if (!shown(control) || control.closest(userContent)) continue;
    const what = control.id ? `#${control.id}` : control.outerHTML.slice(0, 90);
    const walker = document.createTreeWalker(control, NodeFilter.SHOW_TEXT);
    let seen = "";
    while (walker.nextNode()) if (shown(walker.currentNode.parentElement)) seen += walker.currentNode.textContent;
    if (symbol.test(seen)) problems.push(`emoji or symbol as an icon: ${what} shows ${JSON.stringify(seen.trim())}`);
    const labelled = control.getAttribute("aria-labelledby");
    const name = (control.getAttribute("aria-label") || (labelled && document.getElementById(labelled)?.textContent)
      || control.textContent || control.querySelector("img[alt]")?.alt || "").trim();
    if (!name) problems.push(`no accessible name: ${what}`);
    for (const svg of control.querySelectorAll("svg.icon")) {
      icons += 1;
      const box = svg.getBoundingClientRect();
      const use = svg.querySelector("use");
      if (!box.width || !box.height) problems.push(`icon with an empty box: ${what}`);
      else if (svg.getAttribute("aria-hidden") !== "true") problems.push(`icon not hidden from screen readers: ${what}`);
      else if (!use || !use.getBBox().width) problems.push(`icon draws nothing: ${what}`);
    }
  }
  return { problems, icons };
})
