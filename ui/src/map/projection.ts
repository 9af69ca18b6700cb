// A local equirectangular projection: longitude and latitude in degrees to
// metres east and north of a reference point, with longitude scaled by the
// cosine of the reference latitude. Over a county (Cixi spans ~40 km) the
// error against a conformal projection is far below a pixel on the wall, and
// it is a multiply-add per coordinate, so every vertex is projected once when
// the city loads and never again.

const EARTH_RADIUS_M = 6_371_008.8;
const DEG = Math.PI / 180;

export class Projection {
  /** Metres per degree of longitude at the reference latitude. */
  readonly kx: number;
  /** Metres per degree of latitude. */
  readonly ky: number;

  constructor(
    readonly lon0: number,
    readonly lat0: number,
  ) {
    this.ky = EARTH_RADIUS_M * DEG;
    this.kx = this.ky * Math.cos(lat0 * DEG);
  }

  /** A projection centred on the middle of a lon/lat box. */
  static around(minLon: number, minLat: number, maxLon: number, maxLat: number): Projection {
    return new Projection((minLon + maxLon) / 2, (minLat + maxLat) / 2);
  }

  x(lon: number): number {
    return (lon - this.lon0) * this.kx;
  }

  y(lat: number): number {
    return (lat - this.lat0) * this.ky;
  }

  lon(x: number): number {
    return x / this.kx + this.lon0;
  }

  lat(y: number): number {
    return y / this.ky + this.lat0;
  }
}
