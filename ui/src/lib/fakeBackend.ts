// Stands in for Rust when the page is opened in a plain browser during
// development (`npm run dev`): behaves like the embedded simulator.

import type { WallEvent } from "../bindings/WallEvent";
import type { WindowSetup } from "../bindings/WindowSetup";
import type { GridDue } from "../bindings/GridDue";
import type { AppHealth } from "../bindings/AppHealth";
import type { WarningItem } from "../bindings/WarningItem";
import type { CommandError } from "../bindings/CommandError";
import type { CityData } from "../map/GridMap";
import type { FocusItem } from "../bindings/FocusItem";
import type { IncidentDetail } from "../bindings/IncidentDetail";
import type { LevelView } from "../bindings/LevelView";
import type { SearchHit } from "../bindings/SearchHit";
import type { SceneView } from "../bindings/SceneView";
import type { VideoScenes } from "../bindings/VideoScenes";
import type { Person } from "../bindings/Person";
import type { PlanSummary } from "../bindings/PlanSummary";
import type { ProposalView } from "../bindings/ProposalView";
import type { ScopeInput } from "../bindings/ScopeInput";
import type { RecipientPreview } from "../bindings/RecipientPreview";
import type { BroadcastSummary } from "../bindings/BroadcastSummary";
import type { BroadcastBoard } from "../bindings/BroadcastBoard";
import type { Backend, HandoverResult } from "./backendApi";

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
export class FakeBackend implements Backend {
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
