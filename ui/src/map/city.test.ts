import { beforeAll, describe, expect, it } from "vitest";
import { City } from "./city";
import { loadCixi, type CixiData } from "./cityData.testsupport";
import { Projection } from "./projection";

describe("Projection", () => {
  const p = new Projection(121.3, 30.2);

  it("gives back the longitude and latitude it projected", () => {
    for (const [lon, lat] of [
      [121.1, 30.0],
      [121.5, 30.4],
      [121.234567, 30.123456],
    ] as const) {
      expect(p.lon(p.x(lon))).toBeCloseTo(lon, 9);
      expect(p.lat(p.y(lat))).toBeCloseTo(lat, 9);
    }
  });

  it("keeps distances true at Cixi's latitude: east-west shrinks by cos(latitude)", () => {
    // A hundredth of a degree north is ~1,112 m anywhere; east at 30.2°N it is ~961 m.
    expect(p.y(30.21) - p.y(30.2)).toBeCloseTo(1112, 0);
    expect(p.x(121.31) - p.x(121.3)).toBeCloseTo(961, 0);
    expect(p.x(121.3)).toBe(0);
    expect(p.y(30.2)).toBe(0);
  });
});

describe("City from the committed geometry", () => {
  let data: CixiData;
  let city: City;
  beforeAll(async () => {
    data = await loadCixi();
    city = City.from(data.grids, data.towns, data.names);
  });

  it("loads every grid, every micro-grid and every town, skipping nothing", () => {
    expect(city.gridCount()).toBe(1724);
    expect(city.microShapes.reduce((n, m) => n + m.length, 0)).toBe(10344);
    expect(city.towns).toHaveLength(24);
    expect(city.skipped).toBe(0);
    expect(city.towns.map((t) => t.name)).toContain("宗汉街道");
  });

  it("finds each grid at its centroid from grids.json", () => {
    let found = 0;
    for (const g of data.names) {
      const [lon, lat] = g.centroid as [number, number];
      const i = city.gridAt(city.projection.x(lon), city.projection.y(lat));
      if (city.gridIds[i] === g.grid_id) found++;
    }
    // Every centroid lies inside its own grid (assets/city/README.md), so all of them hit.
    expect(found).toBe(data.names.length);
  });

  it("finds nothing in the sea north of the county", () => {
    expect(city.gridAt(city.projection.x(121.3), city.projection.y(30.6))).toBe(-1);
  });

  it("skips and counts features it cannot draw instead of throwing", () => {
    const triangle = { type: "Polygon", coordinates: [[[121, 30], [121.01, 30], [121, 30.01]]] };
    const bad = City.from({
      features: [
        { geometry: triangle, properties: { level: "grid", grid_id: "A" } },
        { geometry: { type: "Point", coordinates: [121, 30] }, properties: { level: "grid", grid_id: "B" } },
        { geometry: null, properties: { level: "grid", grid_id: "C" } },
        { geometry: triangle, properties: { level: "grid" } }, // no id
        { geometry: triangle, properties: { level: "micro_grid", grid_id: "Z", micro_grid_id: "ZM01" } }, // no such grid
        { geometry: triangle, properties: { level: "grid", grid_id: "A" } }, // a duplicate
      ],
    });
    expect(bad.gridIds).toEqual(["A"]);
    expect(bad.skipped).toBe(5);
  });
});
