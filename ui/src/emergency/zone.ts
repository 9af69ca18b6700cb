// What an emergency plan's screens show, as pure functions of the footing
// (tested without a webview).

import type { FootingView } from "../bindings/FootingView";
import type { LayoutId, Scene } from "../video/layouts";
import { TEMPLATES, type BroadcastTemplate } from "../lib/broadcast";

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

/** The composer's templates: the plan's own first (written in one language, shown in both), then the built-in ones. */
export function withPlanTemplates(footing: FootingView | null): BroadcastTemplate[] {
  const own = (footing?.templates ?? []).map((t, i) => ({
    key: `plan-${i}`,
    title: { "zh-CN": t.title, en: t.title },
    body: { "zh-CN": t.body, en: t.body },
  }));
  return [...own, ...TEMPLATES];
}
