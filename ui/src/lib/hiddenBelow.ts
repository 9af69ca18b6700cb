// How many rows of a scrolled list are out of sight below: a list that
// hides its last rows says so ("还有 N 项 ↓"), or nobody knows it scrolls.

/** Rows of `list` (its element children) whose bottom is below its visible area. */
export function hiddenBelow(list: HTMLElement): number {
  const bottom = list.scrollTop + list.clientHeight;
  // Scrolled to its end, nothing is below, whatever the rows' rounded
  // offsets add up to (rows of fractional height once were counted hidden).
  if (bottom >= list.scrollHeight - 1) return 0;
  let n = 0;
  for (const row of Array.from(list.children) as HTMLElement[]) {
    if (row.offsetTop - list.offsetTop + row.offsetHeight > bottom + 1) n += 1;
  }
  return n;
}

/** A Svelte action: calls `report` with the hidden count on scroll, resize and change. */
export function watchHiddenBelow(list: HTMLElement, report: (n: number) => void): { destroy(): void } {
  const update = () => report(hiddenBelow(list));
  const resize = new ResizeObserver(update);
  resize.observe(list);
  const changes = new MutationObserver(update);
  changes.observe(list, { childList: true });
  list.addEventListener("scroll", update, { passive: true });
  update();
  return {
    destroy() {
      resize.disconnect();
      changes.disconnect();
      list.removeEventListener("scroll", update);
    },
  };
}
