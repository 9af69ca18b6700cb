// The camera catalogue from the Rust side (`cameras` command). Outside Tauri
// (the UI in a plain browser) there is none and the matrix keeps waiting.

import type { VideoCatalogue } from "../bindings/VideoCatalogue";

export type { VideoCatalogue };

function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** The catalogue, or null while it has not arrived (or without Tauri). */
export async function loadCatalogue(): Promise<VideoCatalogue | null> {
  if (!inTauri()) return null;
  const { invoke } = await import("@tauri-apps/api/core");
  try {
    return await invoke<VideoCatalogue>("cameras");
  } catch (err) {
    if (typeof err === "object" && err !== null && (err as { code?: string }).code === "not_found") return null;
    throw err;
  }
}
