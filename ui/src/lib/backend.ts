// The one module that talks to the Rust side. Everything else imports from
// here, so the UI also runs in a plain browser (`npm run dev`) against a fake
// that behaves like the embedded simulator, with no Tauri at all.

import type { WallEvent } from "../bindings/WallEvent";
import type { WindowSetup } from "../bindings/WindowSetup";
import type { GridDue } from "../bindings/GridDue";
import type { AppHealth } from "../bindings/AppHealth";
import type { PageReport } from "../bindings/PageReport";
import type { WarningItem } from "../bindings/WarningItem";
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
import type { ScopeInput } from "../bindings/ScopeInput";
import type { RecipientPreview } from "../bindings/RecipientPreview";
import type { BroadcastSummary } from "../bindings/BroadcastSummary";
import type { BroadcastBoard } from "../bindings/BroadcastBoard";
import type { PageView } from "../bindings/PageView";

export type { WallEvent, WindowSetup, CommandError };

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

function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

class TauriBackend implements Backend {
  async windowSetup(): Promise<WindowSetup> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<WindowSetup>("window_setup");
  }

  async rememberView(view: PageView): Promise<void> {
    const { invoke } = await import("@tauri-apps/api/core");
    await invoke("remember_view", { view });
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

  async breachMap(): Promise<GridDue[]> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<GridDue[]>("breach_map");
  }

  async heartbeat(visible: boolean, report?: PageReport): Promise<void> {
    const { invoke } = await import("@tauri-apps/api/core");
    await invoke("heartbeat", { visible, report: report ?? null });
  }

  async health(): Promise<AppHealth | null> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<AppHealth>("health");
  }

  async acknowledgeWarning(id: string, note: string): Promise<WarningItem> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<WarningItem>("acknowledge_warning", { id, note });
  }

  async handOverWarning(id: string, to: string, instruction: string): Promise<WarningItem> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<WarningItem>("hand_over_warning", { id, to, instruction });
  }

  async feedBackWarning(id: string, feedback: string): Promise<WarningItem> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<WarningItem>("feed_back_warning", { id, feedback });
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

  async broadcastPreview(scope: ScopeInput): Promise<RecipientPreview> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<RecipientPreview>("broadcast_preview", { scope });
  }

  async sendBroadcast(
    title: string,
    body: string,
    scope: ScopeInput,
    template: string | null,
  ): Promise<BroadcastSummary> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<BroadcastSummary>("send_broadcast", { title, body, scope, template });
  }

  async broadcasts(): Promise<BroadcastSummary[]> {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<BroadcastSummary[]>("broadcasts");
  }
}

const NO_RUST: CommandError = { code: "not_found", message: "not available without the Rust side" };

/** The fake's towns and workers per town, for the broadcast's preview. */
const FAKE_TOWNS: [string, string, number][] = [
  ["330282001000", "浒山街道", 1420],
  ["330282002000", "古塘街道", 1310],
  ["330282101000", "观海卫镇", 1180],
  ["330282102000", "周巷镇", 1050],
];

/** Silent grids the fake lists, with whom to call. */
const FAKE_MISSING = [
  ["330282001003G02", "孙塘一网格", "浒山街道", "王建国", "陈丽"],
  ["330282101007G01", "卫北三网格", "观海卫镇", "李海峰", "周敏"],
  ["330282102004G03", "周西二网格", "周巷镇", "张伟", "刘洋"],
].map(([grid_id, name, town, leader, instructor]) => ({
  grid_id: grid_id ?? "",
  name: name ?? "",
  town: town ?? "",
  missing: 0,
  recipients: 9,
  leader: { name: leader ?? "", phone_masked: "138****2046" },
  instructor: { name: instructor ?? "", phone_masked: "139****7731" },
}));

/** Stands in for Rust when the page is opened in a browser during development. */
class FakeBackend implements Backend {
  private onEvent: ((event: WallEvent) => void) | null = null;
  private sent: BroadcastSummary[] = [];

  async windowSetup(): Promise<WindowSetup> {
    const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "zh-CN";
    const layout = new URLSearchParams(location.search).get("layout") === "console" ? "console" : "wall";
    return { label: layout, layout, language: lang, kiosk: false, night: null, version: "dev", view: null };
  }

  async rememberView(): Promise<void> {}

  async subscribe(onEvent: (event: WallEvent) => void): Promise<void> {
    this.onEvent = onEvent;
    const live = { state: "live", last_contact: null, detail: null, lag_seconds: null, sync: null, simulated: true } as const;
    onEvent({ kind: "links", governance: { ...live }, video: { ...live } });
    const tick = () => onEvent({ kind: "clock", now: new Date().toISOString(), speed: 1 });
    tick();
    setInterval(tick, 1000);
    // `?broadcast=demo` plays a broadcast to everyone, to see the board in a browser.
    if (new URLSearchParams(location.search).get("broadcast") === "demo") {
      void this.sendBroadcast("台风“海葵”防御紧急指令", "", { all: true, town_codes: [], grid_ids: [] });
    }
  }

  async cityMap(): Promise<CityData> {
    throw { code: "not_found", message: "no geometry without the Rust side" } satisfies CommandError;
  }

  async acknowledgeAlert(): Promise<void> {}

  async breachMap(): Promise<GridDue[]> {
    return [];
  }

  async heartbeat(): Promise<void> {}

  async health(): Promise<AppHealth | null> {
    return null;
  }

  async acknowledgeWarning(): Promise<WarningItem> {
    throw NO_RUST;
  }

  async handOverWarning(): Promise<WarningItem> {
    throw NO_RUST;
  }

  async feedBackWarning(): Promise<WarningItem> {
    throw NO_RUST;
  }

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

  async broadcastPreview(scope: ScopeInput): Promise<RecipientPreview> {
    const towns = FAKE_TOWNS.filter(([code]) => scope.all || scope.town_codes.includes(code)).map(
      ([town_code, name, recipients]) => ({ town_code, name, recipients }),
    );
    if (scope.all) towns.push({ town_code: "", name: "", recipients: 210 });
    const grids = scope.grid_ids.length;
    if (!scope.all && grids > 0) towns.push({ town_code: "330282001000", name: "浒山街道", recipients: grids * 9 });
    return { total: towns.reduce((n, t) => n + t.recipients, 0), grids, towns };
  }

  /** Sends at once and acknowledges over a simulated quarter hour (a minute of real time). */
  async sendBroadcast(title: string, _body: string, scope: ScopeInput): Promise<BroadcastSummary> {
    const preview = await this.broadcastPreview(scope);
    const sentAt = new Date();
    const due = new Date(sentAt.getTime() + 15 * 60_000);
    const summary: BroadcastSummary = {
      local_id: this.sent.length + 1,
      broadcast_id: `GB${String(this.sent.length + 1).padStart(8, "0")}`,
      title,
      status: "sent",
      error: null,
      sent_by: "dev@browser",
      created_at: sentAt.toISOString(),
      sent_at: sentAt.toISOString(),
      recipients: preview.total,
      acked: 0,
      acked_within: 0,
      open: true,
    };
    this.sent.unshift(summary);
    const started = Date.now();
    const push = () => {
      const share = Math.min(0.995, (Date.now() - started) / 60_000);
      const board: BroadcastBoard = {
        local_id: summary.local_id,
        broadcast_id: summary.broadcast_id ?? "",
        title,
        sent_at: sentAt.toISOString(),
        due_at: due.toISOString(),
        ack_deadline_at: due.toISOString(),
        open: share < 0.995,
        recipients: preview.total,
        acked: Math.floor(preview.total * share),
        acked_within: Math.floor(preview.total * share),
        towns: preview.towns.map((t) => ({ ...t, acked: Math.floor(t.recipients * share) })),
        grids: [],
        full: true,
        missing: share < 0.99 ? FAKE_MISSING.map((m) => ({ ...m, missing: Math.ceil(m.recipients * (1 - share)) })) : [],
        missing_grids: share < 0.99 ? Math.ceil(1724 * (1 - share)) : 0,
        reminder_5: share > 0.33,
        reminder_10: share > 0.66,
        at: new Date().toISOString(),
      };
      summary.acked = board.acked;
      this.onEvent?.({ kind: "broadcast", board });
      if (board.open) setTimeout(push, 1000);
    };
    push();
    return summary;
  }

  async broadcasts(): Promise<BroadcastSummary[]> {
    return this.sent;
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
