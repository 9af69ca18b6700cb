// The committed city of Cixi for tests: the geometry exactly as the
// governance API serves it (gzipped in the repository), the towns, and the
// grid records. The app's type check has no Node types (the UI runs in a
// webview), so the one Node call is imported by a computed name and typed
// here; decompression uses the web's own DecompressionStream.

import type { FeatureCollection, GridLabel } from "./city";

interface NodeFs {
  readFileSync(path: URL): Uint8Array<ArrayBuffer>;
}

const root = new URL("../../../assets/city/", import.meta.url);

export interface CixiData {
  grids: FeatureCollection;
  towns: FeatureCollection;
  names: GridLabel[];
}

let cached: CixiData | null = null;

/** Loads once per test file; call in `beforeAll`. */
export async function loadCixi(): Promise<CixiData> {
  if (!cached) {
    const fs = (await import(/* @vite-ignore */ `node:${"fs"}`)) as NodeFs;
    const read = (name: string) => fs.readFileSync(new URL(name, root));
    const gz = new Blob([read("geometry.geojson.gz")]);
    const text = await new Response(gz.stream().pipeThrough(new DecompressionStream("gzip"))).text();
    const utf8 = new TextDecoder();
    cached = {
      grids: JSON.parse(text),
      towns: JSON.parse(utf8.decode(read("towns.geojson"))),
      names: JSON.parse(utf8.decode(read("grids.json"))).grids,
    };
  }
  return cached;
}

/** The data loaded by `loadCixi`. */
export function cixi(): CixiData {
  if (!cached) throw new Error("call loadCixi() in beforeAll first");
  return cached;
}
