import { describe, expect, it } from "vitest";
import type { FootingView } from "../bindings/FootingView";
import { withPlanTemplates, zoneCameras } from "./zone";
import { TEMPLATES } from "../lib/broadcast";

const footing = {
  cameras: ["C1", "C2"],
  screens: [
    { label: "video", show: "cameras", scene: "海塘" },
    { label: "wall", show: "zone", scene: null },
  ],
} as unknown as FootingView;

describe("zone cameras", () => {
  it("are the zone's cameras, or the scene the plan names for the window", () => {
    expect(zoneCameras(null, "video", "16")).toBeNull();
    expect(zoneCameras(footing, "wall", "4")).toEqual({ layout: "4", cameras: ["C1", "C2"], sceneName: null });
    expect(zoneCameras(footing, "video", "16")?.sceneName).toBe("海塘");
  });
});

describe("plan templates", () => {
  it("come first in the composer while the plan is in force", () => {
    expect(withPlanTemplates(null)).toEqual(TEMPLATES);
    const typhoon = { templates: [{ title: "台风防御紧急通知", body: "请立即排查" }] } as unknown as FootingView;
    const list = withPlanTemplates(typhoon);
    expect(list[0]).toEqual({
      key: "plan-0",
      title: { "zh-CN": "台风防御紧急通知", en: "台风防御紧急通知" },
      body: { "zh-CN": "请立即排查", en: "请立即排查" },
    });
    expect(list.length).toBe(TEMPLATES.length + 1);
  });
});
