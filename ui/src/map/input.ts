// The operator's hands on the map: hit testing, the selection and its
// listeners, and the canvas' pointer, wheel and keyboard input. Drag pans,
// wheel zooms about the pointer, click selects (click on the sea clears);
// keys when focused: arrows pan, +/- zoom, 0/Home whole city, Enter focuses
// the selected grid, Escape clears the selection, Tab/n and Shift+Tab/p walk
// the grids that need attention.

import { AMBER, RED, type GridState } from "./state";
import type { Viewport } from "./viewport";

export class MapInput {
  private readonly selectListeners = new Set<(gridId: string | null) => void>();
  private drag: { id: number; x: number; y: number; moved: boolean } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly state: GridState,
    private readonly viewport: Viewport,
    /** Asks for a frame (a selection's outline to paint). */
    private readonly schedule: () => void,
  ) {
    this.canvas.addEventListener("pointerdown", this.onPointerDown);
    this.canvas.addEventListener("pointermove", this.onPointerMove);
    this.canvas.addEventListener("pointerup", this.onPointerUp);
    this.canvas.addEventListener("pointercancel", this.onPointerUp);
    this.canvas.addEventListener("wheel", this.onWheel, { passive: false });
    this.canvas.addEventListener("keydown", this.onKeyDown);
  }

  /** Removes the canvas listeners and forgets the selection listeners. */
  destroy(): void {
    this.canvas.removeEventListener("pointerdown", this.onPointerDown);
    this.canvas.removeEventListener("pointermove", this.onPointerMove);
    this.canvas.removeEventListener("pointerup", this.onPointerUp);
    this.canvas.removeEventListener("pointercancel", this.onPointerUp);
    this.canvas.removeEventListener("wheel", this.onWheel);
    this.canvas.removeEventListener("keydown", this.onKeyDown);
    this.selectListeners.clear();
  }

  /** The grid under a point of the canvas in CSS pixels, or null. */
  hitTest(x: number, y: number): string | null {
    const city = this.state.city;
    if (!city) return null;
    const v = this.viewport.view;
    const i = city.gridAt(v.worldX(x), v.worldY(y));
    return i >= 0 ? city.gridIds[i]! : null;
  }

  /** Listens to selections (by click, keyboard or `select`); returns the unsubscribe function. */
  onSelect(cb: (gridId: string | null) => void): () => void {
    this.selectListeners.add(cb);
    return () => this.selectListeners.delete(cb);
  }

  /** Selects grid `i` (-1: none): its outline is repainted, the canvas and listeners told. */
  selectIndex(i: number): void {
    const st = this.state;
    if (i === st.selectedIndex) return;
    if (st.selectedIndex >= 0) st.markDirty(st.selectedIndex);
    st.selectedIndex = i;
    if (i >= 0) st.markDirty(i);
    const id = st.selectedId();
    this.canvas.setAttribute("data-selected", id ?? "");
    this.schedule();
    for (const cb of this.selectListeners) cb(id);
  }

  private localPoint(e: MouseEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private readonly onPointerDown = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    this.canvas.focus({ preventScroll: true });
    this.canvas.setPointerCapture?.(e.pointerId);
    this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
  };

  private readonly onPointerMove = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x,
      dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    d.moved = true;
    d.x = e.clientX;
    d.y = e.clientY;
    this.viewport.panBy(dx, dy);
  };

  private readonly onPointerUp = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    this.drag = null;
    if (d.moved || e.type === "pointercancel") return;
    const [x, y] = this.localPoint(e);
    const id = this.hitTest(x, y);
    this.selectIndex(id === null ? -1 : this.state.city!.indexOf(id)!);
  };

  private readonly onWheel = (e: WheelEvent): void => {
    e.preventDefault();
    const [x, y] = this.localPoint(e);
    const lines = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    this.viewport.zoomBy(Math.pow(2, -Math.max(-300, Math.min(300, lines)) / 300), x, y);
  };

  /** The grid after (or before) the selected one in urgency order, or -1. */
  private nextUrgent(direction: 1 | -1): number {
    const st = this.state,
      city = st.city;
    if (!city) return -1;
    const rank = (i: number): number =>
      st.overdue[i]! > 0 ? 3 : st.colour[i] === RED ? 2 : st.colour[i] === AMBER ? 1 : 0;
    const order: number[] = [];
    for (let i = 0; i < city.gridIds.length; i++) if (rank(i) > 0) order.push(i);
    if (order.length === 0) return -1;
    order.sort((a, b) => rank(b) - rank(a) || a - b);
    const current = city.indexOf(st.selectedId() ?? "") ?? -1;
    const at = order.indexOf(current);
    if (at < 0) return direction === 1 ? order[0]! : order[order.length - 1]!;
    return order[(at + direction + order.length) % order.length]!;
  }

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    const vp = this.viewport;
    const step = Math.min(vp.view.cssW, vp.view.cssH) * 0.15;
    switch (e.key) {
      case "ArrowLeft":
        vp.panBy(step, 0);
        break;
      case "ArrowRight":
        vp.panBy(-step, 0);
        break;
      case "ArrowUp":
        vp.panBy(0, step);
        break;
      case "ArrowDown":
        vp.panBy(0, -step);
        break;
      case "+":
      case "=":
        vp.zoomBy(1.5);
        break;
      case "-":
      case "_":
        vp.zoomBy(1 / 1.5);
        break;
      case "0":
      case "Home":
        vp.fitCity();
        break;
      case "Enter": {
        const id = this.state.selectedId();
        if (id) vp.focus(id);
        break;
      }
      case "Escape":
        this.selectIndex(-1);
        break;
      case "Tab":
      case "n":
      case "p": {
        // Walk the grids that need attention, worst first: overdue, then
        // red, then amber; Shift+Tab or p walks back.
        const next = this.nextUrgent(e.shiftKey || e.key === "p" ? -1 : 1);
        if (next < 0) return;
        this.selectIndex(next);
        vp.focus(this.state.city!.gridIds[next]!);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };
}
