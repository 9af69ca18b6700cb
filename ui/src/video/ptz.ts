// PTZ from the console: keys on a focused PTZ tile become one command each,
// sent through Rust (`ptz` command), which holds the gateway's token.

import type { CommandError } from "../bindings/CommandError";

export type PtzAction = "left" | "right" | "up" | "down" | "zoom_in" | "zoom_out";

/** The PTZ action of a key, or null for a key PTZ does not use. */
export function ptzActionOf(key: string): PtzAction | null {
  switch (key) {
    case "ArrowLeft":
      return "left";
    case "ArrowRight":
      return "right";
    case "ArrowUp":
      return "up";
    case "ArrowDown":
      return "down";
    case "+":
    case "=":
      return "zoom_in";
    case "-":
    case "_":
      return "zoom_out";
    default:
      return null;
  }
}

/** Sends one command; resolves to null when it moved, else the error. */
export async function movePtz(cameraId: string, action: PtzAction): Promise<CommandError | null> {
  if (typeof window === "undefined" || !("__TAURI_INTERNALS__" in window)) {
    return { code: "internal", message: "no backend" };
  }
  const { invoke } = await import("@tauri-apps/api/core");
  try {
    await invoke("ptz", { cameraId, action });
    return null;
  } catch (err) {
    if (typeof err === "object" && err !== null && "code" in err) return err as CommandError;
    return { code: "internal", message: String(err) };
  }
}
