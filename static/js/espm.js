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
  if (window.htmx) {
    window.htmx.onLoad(setWidths);
  } else {
    document.addEventListener("DOMContentLoaded", () => setWidths(document.body));
  }
})();
