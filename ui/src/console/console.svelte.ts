// The console's state: where the officer is in the tree, the filters, the
// level shown and the incident open. Each answer from Rust is kept only if it
// is still the newest question's (a fast clicker never sees an old level
// land over a new one).

import type { IncidentDetail } from "../bindings/IncidentDetail";
import type { LevelView } from "../bindings/LevelView";
import type { Place } from "../bindings/Place";
import { backend, errorMessage } from "../lib/backend";
import { CITY, LIST_PAGE, defaultFilters, moreCount, parentOf, samePlace, toFilter, type FilterState } from "./logic";

/** The level is asked again this often while shown (counts move). */
const REFRESH_MS = 30_000;
const RETRY_MS = 2_000;
const SOON_MS = 5_000;

export class ConsoleState {
  place = $state<Place>(CITY);
  filters = $state<FilterState>(defaultFilters());
  level = $state.raw<LevelView | null>(null);
  incident = $state.raw<IncidentDetail | null>(null);
  /** Local time (ms) when `incident` arrived, for the countdown. */
  incidentFetchedAt = $state(0);
  loading = $state(false);
  error = $state<string | null>(null);
  /** The child row the keyboard is on. */
  cursor = $state(0);
  /** Rows of the incident list asked for: the first page until "more". */
  listRows = $state(LIST_PAGE);

  private levelAsk = 0;
  private incidentAsk = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  start(): void {
    void this.load();
    this.timer = setInterval(() => void this.load(true), REFRESH_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
  }

  /** Shows `place`; the open incident stays open unless `closeIncident`. */
  async go(place: Place, closeIncident = true): Promise<void> {
    if (closeIncident) this.closeIncident();
    if (!samePlace(place, this.place)) {
      this.place = place;
      this.cursor = 0;
      this.listRows = LIST_PAGE;
    }
    await this.load();
  }

  /** One level up; false at the city. */
  up(): boolean {
    const parent = this.level ? parentOf(this.level.breadcrumbs) : null;
    if (!parent) return false;
    void this.go(parent);
    return true;
  }

  private lastLoad = 0;
  private soon: ReturnType<typeof setTimeout> | null = null;

  /** A quiet reload, at most one per `SOON_MS` (the feed says counts moved). */
  refreshSoon(): void {
    if (this.soon) return;
    const wait = Math.max(0, this.lastLoad + SOON_MS - Date.now());
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.load(true);
    }, wait);
  }

  setFilters(next: FilterState): void {
    this.filters = next;
    this.listRows = LIST_PAGE;
    void this.load();
  }

  /** The next page of the incident list, if there is more. */
  more(): void {
    const level = this.level;
    if (!level) return;
    const shown = level.incidents.length;
    const more = moreCount(shown, Number(level.incidents_total));
    if (more === 0) return;
    this.listRows = shown + more;
    void this.load(true);
  }

  async load(quiet = false): Promise<void> {
    const ask = ++this.levelAsk;
    this.lastLoad = Date.now();
    const place = $state.snapshot(this.place);
    if (!quiet) this.loading = true;
    try {
      const view = await backend.consoleLevel(place, toFilter($state.snapshot(this.filters), this.listRows));
      if (ask !== this.levelAsk) return;
      this.level = view;
      this.error = null;
      if (this.cursor >= view.children.length) this.cursor = Math.max(0, view.children.length - 1);
    } catch (err) {
      if (ask !== this.levelAsk) return;
      this.error = errorMessage(err);
      // Nothing shown yet (the first sync is still under way): ask again soon.
      if (this.level === null) setTimeout(() => void (ask === this.levelAsk && this.load(quiet)), RETRY_MS);
    } finally {
      if (ask === this.levelAsk) this.loading = false;
    }
  }

  async openIncident(id: string): Promise<void> {
    const ask = ++this.incidentAsk;
    try {
      const detail = await backend.consoleIncident(id);
      if (ask !== this.incidentAsk) return;
      this.incident = detail;
      this.incidentFetchedAt = Date.now();
      this.error = null;
    } catch (err) {
      if (ask === this.incidentAsk) this.error = errorMessage(err);
    }
  }

  closeIncident(): void {
    this.incidentAsk += 1;
    this.incident = null;
  }
}
