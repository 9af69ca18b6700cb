// What an emergency plan's screens show, as pure functions of the footing
// (tested without a webview).

import type { FootingView } from "../bindings/FootingView";
import type { LayoutId, Scene } from "../video/layouts";

/** The camera matrix of a plan's screen: a saved scene the plan names, or the zone's cameras. */
export function zoneCameras(
  footing: FootingView | null,
  label: string | undefined,
  layout: LayoutId,
): (Scene & { sceneName: string | null }) | null {
  if (!footing) return null;
  const sceneName = footing.screens.find((s) => s.label === label)?.scene ?? null;
  return { layout, cameras: footing.cameras, sceneName };
}
