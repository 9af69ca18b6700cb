// The window's live picture, kept current from the backend's feed. Svelte
// runes make each field reactive, so a tile re-renders only when its field
// changes; later work adds grid deltas and alerts here.

import type { Language } from "../bindings/Language";
import type { Links } from "../bindings/Links";
import type { WallEvent } from "../bindings/WallEvent";
import type { WindowSetup } from "../bindings/WindowSetup";
import { dictionary } from "./i18n";

export class WallState {
  setup = $state<WindowSetup | null>(null);
  language = $state<Language>("zh-CN");
  now = $state<string | null>(null);
  speed = $state(1);
  links = $state<Links | null>(null);
  /** Events received, for tests and the diagnostics overlay. */
  received = $state(0);
  error = $state<string | null>(null);

  t = $derived(dictionary(this.language));

  apply(event: WallEvent): void {
    this.received += 1;
    switch (event.kind) {
      case "clock":
        this.now = event.now;
        this.speed = event.speed;
        break;
      case "links":
        this.links = { governance: event.governance, video: event.video };
        break;
    }
  }

  toggleLanguage(): void {
    this.language = this.language === "en" ? "zh-CN" : "en";
    document.documentElement.lang = this.language;
  }
}
