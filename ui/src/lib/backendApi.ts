// What the UI asks of the Rust side: the `Backend` interface, which the
// Tauri bridge (backend.ts) and the browser fake (fakeBackend.ts) both keep.

import type { WallEvent } from "../bindings/WallEvent";
import type { WindowSetup } from "../bindings/WindowSetup";
import type { GridDue } from "../bindings/GridDue";
import type { AppHealth } from "../bindings/AppHealth";
import type { PageReport } from "../bindings/PageReport";
import type { WarningItem } from "../bindings/WarningItem";
import type { CityData } from "../map/GridMap";
import type { Filter } from "../bindings/Filter";
import type { FocusItem } from "../bindings/FocusItem";
import type { IncidentDetail } from "../bindings/IncidentDetail";
import type { LevelView } from "../bindings/LevelView";
import type { Place } from "../bindings/Place";
import type { SearchHit } from "../bindings/SearchHit";
import type { SceneInput } from "../bindings/SceneInput";
import type { SceneView } from "../bindings/SceneView";
import type { VideoScenes } from "../bindings/VideoScenes";
import type { Person } from "../bindings/Person";
import type { PlanSummary } from "../bindings/PlanSummary";
import type { ProposalView } from "../bindings/ProposalView";
import type { ScopeInput } from "../bindings/ScopeInput";
import type { RecipientPreview } from "../bindings/RecipientPreview";
import type { BroadcastSummary } from "../bindings/BroadcastSummary";
import type { PageView } from "../bindings/PageView";

/** What the shift handover command answers: where the file went, and its figures. */
export interface HandoverResult {
  path: string;
  [figure: string]: unknown;
}

export interface Backend {
  windowSetup(): Promise<WindowSetup>;
  /** This page's own choices, kept by Rust for when the page is reloaded. */
  rememberView(view: PageView): Promise<void>;
  /** Starts the window's live feed; events arrive in order on `onEvent`. */
  subscribe(onEvent: (event: WallEvent) => void): Promise<void>;
  /** The map's geometry; rejects with code `not_found` until it has arrived. */
  cityMap(): Promise<CityData>;
  /** Records that this console's operator acknowledged a pinned alert. */
  acknowledgeAlert(eventId: string): Promise<void>;
  /** Each grid's next deadline, for the map's time-to-breach layer. */
  breachMap(): Promise<GridDue[]>;
  /**
   * The page drew a frame (or was hidden): Rust's watchdog reloads a silent
   * one. `report`: what the page shows, for the app's status.
   */
  heartbeat(visible: boolean, report?: PageReport): Promise<void>;
  /** Heals and restarts so far, for the console's status line. */
  health(): Promise<AppHealth | null>;
  // --- the app's own early warnings (智慧脑): acted on in the signed-in person's name ---
  acknowledgeWarning(id: string, note: string): Promise<WarningItem>;
  handOverWarning(id: string, to: string, instruction: string): Promise<WarningItem>;
  feedBackWarning(id: string, feedback: string): Promise<WarningItem>;
  /** The console: one place of the tree under the officer's filters. */
  consoleLevel(place: Place, filter: Filter): Promise<LevelView>;
  /** The console: one incident with its closed loop. */
  consoleIncident(id: string): Promise<IncidentDetail>;
  /** A photo of an incident, fetched by Rust, as a blob (for a blob URL). */
  consolePhoto(url: string): Promise<Blob>;
  consoleSearch(query: string): Promise<SearchHit[]>;
  /** Puts a grid or an incident on the wall's focus area (audited). */
  pushToWall(kind: "grid" | "incident", id: string): Promise<FocusItem>;
  /** The shift handover report, written to a file. */
  handover(format: "pdf" | "png"): Promise<HandoverResult>;
  /** The saved video scenes and this window's rotation; null without Rust. */
  videoScenes(): Promise<VideoScenes | null>;
  /** Saves a scene under its name (audited). */
  saveScene(scene: SceneInput): Promise<SceneView>;
  deleteScene(name: string): Promise<void>;
  /** This window's rotation: saved scene names in order, seconds each. */
  setRotation(scenes: string[], dwellSecs: number): Promise<VideoScenes>;
  // --- sign-in and the wartime footing (平战转换) ---
  /** Who is signed in on this PC, or null. */
  signedIn(): Promise<Person | null>;
  /** Rejects with code `unauthorized` for a wrong name or PIN (audited). */
  signIn(username: string, pin: string): Promise<Person>;
  signOut(): Promise<void>;
  plans(): Promise<PlanSummary[]>;
  /** Imports or replaces a plan from TOML (admins; audited). */
  savePlan(toml: string): Promise<PlanSummary>;
  deletePlan(name: string): Promise<void>;
  exportPlan(name: string): Promise<string>;
  /** Proposes switching into `plan`, or back to peacetime with null. */
  proposeSwitch(plan: string | null): Promise<ProposalView>;
  /** A second person confirms with their own name and PIN. */
  confirmSwitch(id: number, username: string, pin: string): Promise<void>;
  cancelSwitch(id: number): Promise<void>;
  /** How many workers a broadcast to `scope` reaches, per town. */
  broadcastPreview(scope: ScopeInput): Promise<RecipientPreview>;
  /** Sends a broadcast (audited; retried under one key, never twice). Progress comes on the feed. */
  sendBroadcast(title: string, body: string, scope: ScopeInput, template: string | null): Promise<BroadcastSummary>;
  /** The broadcasts of the last day, newest first. */
  broadcasts(): Promise<BroadcastSummary[]>;
}
