// The one module that talks to the Rust side. Everything else imports from
// here, so the UI also runs in a plain browser (`npm run dev`) against a fake
// that behaves like the embedded simulator, with no Tauri at all.

import type { WallEvent } from "../bindings/WallEvent";
import type { WindowSetup } from "../bindings/WindowSetup";
import type { CommandError } from "../bindings/CommandError";
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

export type { WallEvent, WindowSetup, CommandError };

/** What the shift handover command answers: where the file went, and its figures. */
export interface HandoverResult {
  path: string;
  [figure: string]: unknown;
}

export interface Backend {
  windowSetup(): Promise<WindowSetup>;
  /** Starts the window's live feed; events arrive in order on `onEvent`. */
  subscribe(onEvent: (event: WallEvent) => void): Promise<void>;
  /** The map's geometry; rejects with code `not_found` until it has arrived. */
  cityMap(): Promise<CityData>;
  /** Records that this console's operator acknowledged a pinned alert. */
  acknowledgeAlert(eventId: string): Promise<void>;
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
}

function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

class TauriBackend implements Backend {
  async windowSetup(): Promise<WindowSetup> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<WindowSetup>("window_setup");
  }

  async subscribe(onEvent: (event: WallEvent) => void): Promise<void> {
    const { invoke, Channel } = await import("@tauri-apps/api/core");
    const events = new Channel<WallEvent>();
    events.onmessage = onEvent;
    await invoke("subscribe", { events });
  }

  async cityMap(): Promise<CityData> {
    const { invoke } = await import("@tauri-apps/api/core");
    // Raw bytes from Rust: one JSON.parse here, no second serialisation.
    const bytes = await invoke<ArrayBuffer>("city_map");
    return JSON.parse(new TextDecoder().decode(bytes)) as CityData;
  }

  async acknowledgeAlert(eventId: string): Promise<void> {
    const { invoke } = await import("@tauri-apps/api/core");
    await invoke("acknowledge_alert", { eventId });
  }

  async consoleLevel(place: Place, filter: Filter): Promise<LevelView> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<LevelView>("console_level", { place, filter });
  }

  async consoleIncident(id: string): Promise<IncidentDetail> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<IncidentDetail>("console_incident", { id });
  }

  async consolePhoto(url: string): Promise<Blob> {
    const { invoke } = await import("@tauri-apps/api/core");
    const bytes = await invoke<ArrayBuffer>("console_photo", { url });
    return new Blob([bytes], { type: "image/jpeg" });
  }

  async consoleSearch(query: string): Promise<SearchHit[]> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<SearchHit[]>("console_search", { query });
  }

  async pushToWall(kind: "grid" | "incident", id: string): Promise<FocusItem> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<FocusItem>("push_to_wall", { kind, id });
  }

  async handover(format: "pdf" | "png"): Promise<HandoverResult> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<HandoverResult>("handover", { format });
  }

  async videoScenes(): Promise<VideoScenes | null> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<VideoScenes>("video_scenes");
  }

  async saveScene(scene: SceneInput): Promise<SceneView> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<SceneView>("save_scene", { scene });
  }

  async deleteScene(name: string): Promise<void> {
    const { invoke } = await import("@tauri-apps/api/core");
    await invoke("delete_scene", { name });
  }

  async setRotation(scenes: string[], dwellSecs: number): Promise<VideoScenes> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<VideoScenes>("set_rotation", { scenes, dwellSecs });
  }

  async signedIn(): Promise<Person | null> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<Person | null>("signed_in");
  }

  async signIn(username: string, pin: string): Promise<Person> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<Person>("sign_in", { username, pin });
  }

  async signOut(): Promise<void> {
    const { invoke } = await import("@tauri-apps/api/core");
    await invoke("sign_out");
  }

  async plans(): Promise<PlanSummary[]> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<PlanSummary[]>("plans");
  }

  async savePlan(toml: string): Promise<PlanSummary> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<PlanSummary>("save_plan", { toml });
  }

  async deletePlan(name: string): Promise<void> {
    const { invoke } = await import("@tauri-apps/api/core");
    await invoke("delete_plan", { name });
  }

  async exportPlan(name: string): Promise<string> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<string>("export_plan", { name });
  }

  async proposeSwitch(plan: string | null): Promise<ProposalView> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<ProposalView>("propose_switch", { plan });
  }

  async confirmSwitch(id: number, username: string, pin: string): Promise<void> {
    const { invoke } = await import("@tauri-apps/api/core");
    await invoke("confirm_switch", { id, username, pin });
  }

  async cancelSwitch(id: number): Promise<void> {
    const { invoke } = await import("@tauri-apps/api/core");
    await invoke("cancel_switch", { id });
  }
}

const NO_RUST: CommandError = { code: "not_found", message: "not available without the Rust side" };

/** Stands in for Rust when the page is opened in a browser during development. */
class FakeBackend implements Backend {
  async windowSetup(): Promise<WindowSetup> {
    const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "zh-CN";
    const layout = new URLSearchParams(location.search).get("layout") === "console" ? "console" : "wall";
    return { label: layout, layout, language: lang, kiosk: false, night: null, version: "dev" };
  }

  async subscribe(onEvent: (event: WallEvent) => void): Promise<void> {
    const live = { state: "live", last_contact: null, detail: null, lag_seconds: null, sync: null, simulated: true } as const;
    onEvent({ kind: "links", governance: { ...live }, video: { ...live } });
    const tick = () => onEvent({ kind: "clock", now: new Date().toISOString(), speed: 1 });
    tick();
    setInterval(tick, 1000);
  }

  async cityMap(): Promise<CityData> {
    throw { code: "not_found", message: "no geometry without the Rust side" } satisfies CommandError;
  }

  async acknowledgeAlert(): Promise<void> {}

  async consoleLevel(): Promise<LevelView> {
    throw NO_RUST;
  }

  async consoleIncident(): Promise<IncidentDetail> {
    throw NO_RUST;
  }

  async consolePhoto(): Promise<Blob> {
    throw NO_RUST;
  }

  async consoleSearch(): Promise<SearchHit[]> {
    return [];
  }

  async pushToWall(): Promise<FocusItem> {
    throw NO_RUST;
  }

  async handover(): Promise<HandoverResult> {
    throw NO_RUST;
  }

  async videoScenes(): Promise<VideoScenes | null> {
    return null;
  }

  async saveScene(): Promise<SceneView> {
    throw NO_RUST;
  }

  async deleteScene(): Promise<void> {
    throw NO_RUST;
  }

  async setRotation(): Promise<VideoScenes> {
    throw NO_RUST;
  }

  async signedIn(): Promise<Person | null> {
    return null;
  }

  async signIn(): Promise<Person> {
    throw NO_RUST;
  }

  async signOut(): Promise<void> {}

  async plans(): Promise<PlanSummary[]> {
    return [];
  }

  async savePlan(): Promise<PlanSummary> {
    throw NO_RUST;
  }

  async deletePlan(): Promise<void> {
    throw NO_RUST;
  }

  async exportPlan(): Promise<string> {
    throw NO_RUST;
  }

  async proposeSwitch(): Promise<ProposalView> {
    throw NO_RUST;
  }

  async confirmSwitch(): Promise<void> {
    throw NO_RUST;
  }

  async cancelSwitch(): Promise<void> {
    throw NO_RUST;
  }
}

export const backend: Backend = inTauri() ? new TauriBackend() : new FakeBackend();

/** A failed command as the UI shows it. */
export function errorMessage(err: unknown): string {
  if (typeof err === "object" && err !== null && "message" in err) {
    return String((err as CommandError).message);
  }
  return String(err);
}
