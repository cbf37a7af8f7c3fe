// Nothing sticks out sideways: the document is no wider than the window, and every visible
// control (links, buttons, fields, menus' summaries) lies inside the window horizontally, so none
// is hidden off-screen. Controls inside a sideways-scrolling box (a wide table) are reachable by
// scrolling that box; the skip link sits off-screen until it is focused, by design.
// Returns a list of problems; used by tests/e2e/test_phone.py.
(() => {
  const width = window.innerWidth;
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > width) problems.push(`page is ${doc.scrollWidth}px wide in a ${width}px window`);
  const scrolls = (node) => {
    for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if ((overflow === "auto" || overflow === "scroll") && up.scrollWidth > up.clientWidth) return true;
    }
    return false;
  };
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary, label[for], [role=button]";
  for (const control of document.querySelectorAll(controls)) {
    const r = control.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || control.classList.contains("skip-link") || scrolls(control)) continue;
    const style = getComputedStyle(control);
    if (style.visibility === "hidden" || style.opacity === "0") continue;
    if (r.left < -1 || r.right > width + 1) {
      const what = control.id ? `#${control.id}` : control.outerHTML.slice(0, 100);
      problems.push(`${what} spans ${Math.round(r.left)}..${Math.round(r.right)}px`);
    }
  }
  return problems;
})
