// The window's live picture, kept current from the backend's feed. Svelte
// runes make each field reactive, so a tile re-renders only when its field
// changes. Grid deltas are not kept in runes: thousands of them go straight
// to the map's own sink, which coalesces them per frame.

import type { Language } from "../bindings/Language";
import type { Links } from "../bindings/Links";
import type { UpstreamLink } from "../bindings/UpstreamLink";
import type { GridDue } from "../bindings/GridDue";
import type { WarningItem } from "../bindings/WarningItem";
import { mergeWarnings } from "./warnings";
import { breachDeltas, dueMap } from "./breach";
import { warnedGrids, warningDeltas } from "./warningLayer";
import type { WallEvent } from "../bindings/WallEvent";
import type { WindowSetup } from "../bindings/WindowSetup";
import type { AlertItem } from "../bindings/AlertItem";
import type { GridStatus } from "../bindings/GridStatus";
import type { KpiTile } from "../bindings/KpiTile";
import type { ChartSet } from "../bindings/ChartSet";
import type { FocusItem } from "../bindings/FocusItem";
import type { FootingView } from "../bindings/FootingView";
import type { ProposalView } from "../bindings/ProposalView";
import type { Screen } from "../bindings/Screen";
import type { BroadcastBoard } from "../bindings/BroadcastBoard";
import type { GridAcks } from "../bindings/GridAcks";
import type { CityData, GridDelta } from "../map/GridMap";
import { ackDelta } from "./broadcast";
import { restore, viewOf, type PageView } from "./pageView";
import type { LayoutId } from "../video/layouts";
import { dictionary } from "./i18n";

type GridSink = (deltas: readonly GridDelta[]) => void;

/** What the map's grids are coloured by. */
export type MapLayer = "status" | "breach" | "warnings";

/** Alerts of this severity or more flash and stay pinned until acknowledged (peacetime). */
export const PIN_SEVERITY = 3;
const TICKER_LEN = 60;

function toDelta(g: GridStatus): GridDelta {
  const colour = g.colour === "red" || g.colour === "amber" ? g.colour : "green";
  return { grid_id: g.grid_id, colour, open: g.open, overdue: g.overdue };
}

export class WallState {
  setup = $state<WindowSetup | null>(null);
  language = $state<Language>("zh-CN");
  now = $state<string | null>(null);
  speed = $state(1);
  links = $state<Links | null>(null);
  /** The shared database's link (PostgreSQL, several consoles); null on SQLite. */
  database = $state<UpstreamLink | null>(null);
  /** Events received, for tests and the diagnostics overlay. */
  received = $state(0);
  error = $state<string | null>(null);
  /** Newest first. */
  alerts = $state.raw<AlertItem[]>([]);
  /** Ids of pinned alerts (severity ≥ 3, not yet acknowledged). */
  pinned = $state.raw<string[]>([]);
  kpis = $state.raw<KpiTile[]>([]);
  kpisAt = $state<string | null>(null);
  charts = $state.raw<ChartSet | null>(null);
  chartsAt = $state<string | null>(null);
  /** Grids with events, and when the last grid message arrived (platform time). */
  gridCount = $state(0);
  gridsAt = $state<string | null>(null);
  /** The map's geometry: raw, a deep proxy over 12,000 polygons would cost more than the map. */
  city = $state.raw<CityData | null>(null);
  selectedGrid = $state<string | null>(null);
  /** What a duty officer last pushed to the wall, until replaced or dismissed. */
  focus = $state.raw<FocusItem | null>(null);
  /** Bumped when the saved video scenes change anywhere: matrices reload them. */
  scenesVersion = $state(0);
  /** The emergency plan in force (null in peacetime), and a switch awaiting its second person. */
  footing = $state.raw<FootingView | null>(null);
  proposal = $state.raw<ProposalView | null>(null);
  /** Bumped on every footing change that re-lays the window (for tests and the bench). */
  footingVersion = $state(0);

  /** What this window shows: its plan screen while a plan is in force, else its layout. */
  screen = $derived.by<Screen | null>(() => {
    const label = this.setup?.label;
    if (!this.footing || !label) return null;
    return this.footing.screens.find((s) => s.label === label)?.show ?? null;
  });

  /** Alerts of this severity or more are pinned (a plan may tighten it). */
  pinSeverity = $derived(this.footing?.pin_severity ?? PIN_SEVERITY);
  /** The newest broadcast's progress (its per-grid ratios go to the map, not here). */
  broadcast = $state.raw<BroadcastBoard | null>(null);
  /** While a broadcast is open the map is coloured by acknowledgement, not by events. */
  ackMode = $derived(this.broadcast?.open === true);

  /** The latest status of every grid, for a map that subscribes late. */
  // Not reactive on purpose: thousands of grid updates must not re-render anything.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private grids = new Map<string, GridDelta>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private sinks = new Set<GridSink>();
  /** Each grid's acknowledgements of the newest broadcast; not reactive, as `grids`. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private acks = new Map<string, GridAcks>();
  /** The app's own early warnings (智慧脑), newest first. */
  warnings = $state<WarningItem[]>([]);
  /** The map's layer: status colours, the time-to-breach layer, or the warnings layer. */
  mapLayer = $state<MapLayer>("status");
  /** The camera matrix's layout picked by hand (null: the rotation), and its place in the rotation. */
  videoLayout = $state<LayoutId | null>(null);
  sceneIndex = $state(0);
  /** This page's own choices, as Rust keeps them for a reload. */
  view = $derived(
    viewOf({
      selectedGrid: this.selectedGrid,
      mapLayer: this.mapLayer,
      videoLayout: this.videoLayout,
      sceneIndex: this.sceneIndex,
    }),
  );
  /** Each grid's next deadline (ms), for the time-to-breach layer; not reactive, as `grids`. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private dues = new Map<string, number>();

  t = $derived(dictionary(this.language));

  apply(event: WallEvent): void {
    this.received += 1;
    switch (event.kind) {
      case "clock":
        this.now = event.now;
        this.speed = event.speed;
        break;
      case "links": {
        const wasStale = this.stale;
        this.links = { governance: event.governance, video: event.video };
        if (this.stale !== wasStale) this.markStale(this.stale);
        break;
      }
      case "database": {
        const wasStale = this.stale;
        this.database = { ...event };
        if (this.stale !== wasStale) this.markStale(this.stale);
        break;
      }
      case "grids": {
        if (event.full) this.grids.clear();
        const stale = this.stale;
        const deltas = event.grids.map((g) => ({ ...toDelta(g), stale }));
        for (const d of deltas) this.grids.set(d.grid_id, d);
        this.gridCount = this.grids.size;
        this.gridsAt = this.now;
        this.paint(deltas);
        break;
      }
      case "alerts": {
        const fresh = event.full ? event.alerts : [...event.alerts, ...this.alerts];
        this.alerts = fresh.slice(0, TICKER_LEN);
        break;
      }
      case "pins":
        // Rust keeps the pins (they survive a restart and agree across
        // windows); this is the whole list each time.
        this.pinned = event.ids;
        break;
      case "kpis":
        this.kpis = event.kpis;
        this.kpisAt = event.at;
        break;
      case "charts":
        this.charts = event.charts;
        this.chartsAt = event.at;
        break;
      case "focus":
        // The card shows it; selecting its grid outlines it on the map and
        // turns the camera matrix to the cameras nearest to it.
        this.focus = event.focus;
        this.selectedGrid = event.focus.grid_id;
        break;
      case "scenes":
        this.scenesVersion += 1;
        break;
      case "footing":
        if ((event.footing?.started_at ?? null) !== (this.footing?.started_at ?? null)) this.footingVersion += 1;
        this.footing = event.footing;
        this.proposal = event.proposal;
        break;
      case "broadcast":
        this.applyBroadcast(event.board);
        break;
      case "warnings": {
        const before = warnedGrids(this.warnings);
        this.warnings = mergeWarnings(this.warnings, event.warnings, event.full);
        if (this.mapLayer === "warnings" && !this.ackMode) {
          // Grids that lost their last warning are repainted too.
          const touched = [...before.keys(), ...event.warnings.flatMap((w) => w.grids)];
          for (const sink of this.sinks) sink(this.layerOf(touched));
        }
        break;
      }
    }
  }

  /** Status deltas to the map, or their grids in the layer shown
   *  (a broadcast's acknowledgement colours win over every layer). */
  private paint(deltas: GridDelta[]): void {
    if (this.ackMode) return;
    const out = this.mapLayer === "status" ? deltas : this.layerOf(deltas.map((d) => d.grid_id));
    for (const sink of this.sinks) sink(out);
  }

  /** The grids (all, or `only`) as the layer shown colours them. */
  private layerOf(only?: Iterable<string>): GridDelta[] {
    switch (this.mapLayer) {
      case "breach": {
        const now = this.now ? Date.parse(this.now) : Date.now();
        return breachDeltas(this.grids, this.dues, now, only);
      }
      case "warnings":
        return warningDeltas(this.grids, warnedGrids(this.warnings), only);
      case "status": {
        const all = this.statusDeltas();
        if (!only) return all;
        // A local, not state: nothing renders from it.
        // eslint-disable-next-line svelte/prefer-svelte-reactivity
        const keep = new Set(only);
        return all.filter((d) => keep.has(d.grid_id));
      }
    }
  }

  /** Takes back the choices this page made before it was reloaded. */
  restoreView(view: PageView | null): void {
    const back = restore(view);
    this.selectedGrid = back.selectedGrid;
    this.videoLayout = back.videoLayout;
    this.sceneIndex = back.sceneIndex;
    this.setMapLayer(back.mapLayer);
  }

  /** Switches the map between status colours and the other layers. */
  setMapLayer(layer: MapLayer): void {
    if (layer === this.mapLayer) return;
    this.mapLayer = layer;
    if (this.ackMode) return;
    const deltas = this.layerOf();
    for (const sink of this.sinks) sink(deltas);
  }

  /** Fresh deadlines (asked every few seconds while the layer is shown). */
  setDues(dues: GridDue[]): void {
    const before = [...this.dues.keys()];
    this.dues = dueMap(dues);
    if (this.ackMode || this.mapLayer !== "breach") return;
    // Grids that lost their last deadline are repainted too.
    const deltas = this.layerOf([...before, ...this.dues.keys(), ...this.grids.keys()]);
    for (const sink of this.sinks) sink(deltas);
  }

  /** A board message: figures to the panel, changed grid ratios to the map. */
  private applyBroadcast(board: BroadcastBoard): void {
    const wasAck = this.ackMode;
    const fresh = board.full || this.broadcast?.local_id !== board.local_id;
    if (fresh) this.acks.clear();
    for (const g of board.grids) this.acks.set(g.grid_id, g);
    this.broadcast = { ...board, grids: [] };
    if (this.ackMode) {
      const changed = fresh || !wasAck ? [...this.acks.values()] : board.grids;
      const deltas = changed.map(ackDelta);
      for (const sink of this.sinks) sink(deltas);
    } else if (wasAck) {
      const deltas = this.layerOf();
      for (const sink of this.sinks) sink(deltas);
    }
  }

  /** Every grid's event status, and green for grids only the broadcast coloured. */
  private statusDeltas(): GridDelta[] {
    const deltas = [...this.grids.values()];
    for (const id of this.acks.keys()) {
      if (!this.grids.has(id)) deltas.push({ grid_id: id, colour: "green", open: 0, overdue: 0 });
    }
    return deltas;
  }

  /** The map's delta sink: gets every known status now, then each change. */
  onGridDeltas = (sink: GridSink): (() => void) => {
    this.sinks.add(sink);
    if (this.ackMode) sink([...this.acks.values()].map(ackDelta));
    else if (this.mapLayer !== "status") sink(this.layerOf());
    else if (this.grids.size) sink([...this.grids.values()]);
    return () => this.sinks.delete(sink);
  };

  /** Mark every known grid stale (or fresh again): its colour may be old. */
  private markStale(stale: boolean): void {
    const deltas = [...this.grids.values()].map((d) => ({ ...d, stale }));
    for (const d of deltas) this.grids.set(d.grid_id, d);
    this.paint(deltas);
  }

  /** The governance feed is behind or gone, or the shared database is out
   *  of reach: what the wall shows is old. */
  get stale(): boolean {
    const state = this.links?.governance.state;
    return state === "lagging" || state === "down" || this.databaseDown;
  }

  /** This instance lost the database it shares with the other consoles. */
  get databaseDown(): boolean {
    return this.database?.state === "down";
  }

  acknowledge(id: string): void {
    this.pinned = this.pinned.filter((p) => p !== id);
  }

  toggleLanguage(): void {
    this.language = this.language === "en" ? "zh-CN" : "en";
    document.documentElement.lang = this.language;
  }
}
