import { describe, expect, it } from "vitest";
import type { FootingView } from "../bindings/FootingView";
import { zoneCameras } from "./zone";

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
