// Scenes saved in the store and this window's rotation through them (asked
// of Rust through `backend`). What the matrix rotates through is a pure
// function of these and the catalogue, so it is tested without a webview.

import type { SceneView } from "../bindings/SceneView";
import type { VideoScenes } from "../bindings/VideoScenes";
import { isLayout, type Scene } from "./layouts";

export type { SceneView, VideoScenes };

/** A scene of the rotation, with its name when it is a saved one. */
export interface NamedScene extends Scene {
  name: string | null;
}

/**
 * What the window rotates through: its saved rotation when it has one,
 * otherwise `defaults` (the catalogue cut into scenes). A saved scene whose
 * layout this UI does not know is skipped rather than drawn wrong.
 */
export function rotationOf(stored: VideoScenes | null, defaults: readonly Scene[]): NamedScene[] {
  const byName = new Map((stored?.scenes ?? []).map((s) => [s.name, s]));
  const saved: NamedScene[] = [];
  for (const name of stored?.rotation ?? []) {
    const scene = byName.get(name);
    if (scene && isLayout(scene.layout)) saved.push({ name, layout: scene.layout, cameras: [...scene.cameras] });
  }
  if (saved.length) return saved;
  return defaults.map((s) => ({ ...s, name: null }));
}

/** The scene `name` of the store, as the matrix shows it (null if unknown). */
export function savedScene(stored: VideoScenes | null, name: string): NamedScene | null {
  const scene = stored?.scenes.find((s) => s.name === name);
  if (!scene || !isLayout(scene.layout)) return null;
  return { name, layout: scene.layout, cameras: [...scene.cameras] };
}

/** The dwell in milliseconds: the store's, or 30 s without one. */
export function dwellOf(stored: VideoScenes | null): number {
  return (stored?.dwell_secs ?? 30) * 1000;
}

/** Toggles `name` in the chosen list, keeping the order things were chosen in. */
export function toggleChosen(chosen: readonly string[], name: string): string[] {
  return chosen.includes(name) ? chosen.filter((n) => n !== name) : [...chosen, name];
}
