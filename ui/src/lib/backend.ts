// The one module that talks to the Rust side. Everything else imports from
// here, so the UI also runs in a plain browser (`npm run dev`) against a fake
// that behaves like the embedded simulator, with no Tauri at all.

import type { WallEvent } from "../bindings/WallEvent";
import type { WindowSetup } from "../bindings/WindowSetup";
import type { CommandError } from "../bindings/CommandError";
import type { CityData } from "../map/GridMap";

export type { WallEvent, WindowSetup, CommandError };

export interface Backend {
  windowSetup(): Promise<WindowSetup>;
  /** Starts the window's live feed; events arrive in order on `onEvent`. */
  subscribe(onEvent: (event: WallEvent) => void): Promise<void>;
  /** The map's geometry; rejects with code `not_found` until it has arrived. */
  cityMap(): Promise<CityData>;
  /** Records that this console's operator acknowledged a pinned alert. */
  acknowledgeAlert(eventId: string): Promise<void>;
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
}

/** Stands in for Rust when the page is opened in a browser during development. */
class FakeBackend implements Backend {
  async windowSetup(): Promise<WindowSetup> {
    const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "zh-CN";
    return { label: "wall", layout: "wall", language: lang, kiosk: false, version: "dev" };
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
}

export const backend: Backend = inTauri() ? new TauriBackend() : new FakeBackend();

/** A failed command as the UI shows it. */
export function errorMessage(err: unknown): string {
  if (typeof err === "object" && err !== null && "message" in err) {
    return String((err as CommandError).message);
  }
  return String(err);
}
