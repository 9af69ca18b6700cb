// The one module that talks to the Rust side. Everything else imports from
// here, so the UI also runs in a plain browser (`npm run dev`) against a fake
// that behaves like the embedded simulator, with no Tauri at all (the
// interface both keep: backendApi.ts; the fake: fakeBackend.ts).

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
import type { PageView } from "../bindings/PageView";
import type { Backend, HandoverResult } from "./backendApi";
import { FakeBackend } from "./fakeBackend";

export type { WallEvent, WindowSetup, CommandError };
export type { Backend, HandoverResult };

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

export const backend: Backend = inTauri() ? new TauriBackend() : new FakeBackend();

/** A failed command as the UI shows it. */
export function errorMessage(err: unknown): string {
  if (typeof err === "object" && err !== null && "message" in err) {
    return String((err as CommandError).message);
  }
  return String(err);
}
