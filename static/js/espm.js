// Behaviour shared by every page, loaded after htmx. No inline scripts or style attributes anywhere: the
// Content-Security-Policy (spm/settings.py) refuses them, so values reach scripts through data-* attributes.
(() => {
  // Progress and ranking bars: the width comes from data-width (0–100). A script may set element.style under the
  // CSP where a style="" attribute may not. Runs for the page and again for every fragment htmx swaps in.
  const setWidths = (root) => {
    const bars = Array.from(root.querySelectorAll("[data-width]"));
    if (root.matches && root.matches("[data-width]")) bars.push(root);
    bars.forEach((bar) => {
      const value = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0));
      bar.style.width = `${value}%`;
    });
  };
  // A table wider than the screen scrolls inside its own box; keyboard users must be able to reach that box
  // to scroll it (WCAG 2.1.1), so it joins the tab order, named after its table's caption or the nearest heading.
  const focusableScrollers = (root) => {
    const boxes = Array.from(root.querySelectorAll(".table-responsive"));
    if (root.matches && root.matches(".table-responsive")) boxes.push(root);
    boxes.forEach((box) => {
      if (box.hasAttribute("tabindex")) return;
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        const caption = box.querySelector("caption");
        const card = box.closest(".card");
        const heading = caption || (card && card.querySelector(".card-header, h2, h3, h4"));
        box.setAttribute("aria-label", (heading && heading.textContent.trim()) || document.title);
      }
    });
  };
  const enhance = (root) => {
    setWidths(root);
    focusableScrollers(root);
  };
  if (window.htmx) {
    window.htmx.onLoad(enhance);
  } else {
    document.addEventListener("DOMContentLoaded", () => enhance(document.body));
  }
})();
