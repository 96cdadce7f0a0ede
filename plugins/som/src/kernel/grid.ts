/** Map geometry: unit positions, distances with or without wrap-around, and adjacency. */

export type Topology = 'rectangular' | 'hexagonal';

export interface GridSpec {
  /** Rows of the map (the X of the reference: unit k = i * cols + j, i = row). */
  readonly rows: number;
  readonly cols: number;
  readonly topology: Topology;
  /** Wrap both axes (a torus). */
  readonly toroidal: boolean;
}

const ROW_HEIGHT_HEX = Math.sqrt(3) / 2;

/**
 * The map grid. Rectangular units sit at (i, j). Hexagonal units use "odd-r" offset rows:
 * odd rows are shifted right by half a unit and rows are sqrt(3)/2 apart, so all six neighbours
 * are at distance 1.
 */
export class Grid implements GridSpec {
  readonly rows: number;
  readonly cols: number;
  readonly topology: Topology;
  readonly toroidal: boolean;
  readonly size: number;
  /** Unit positions in the plane, x (along columns) and y (along rows). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  private readonly width: number;
  private readonly height: number;
  private adjacencyCache?: Int32Array[];

  constructor(spec: GridSpec) {
    const { rows, cols } = spec;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
      throw new RangeError(`map size must be whole numbers >= 1 (got ${rows} x ${cols})`);
    }
    if (spec.topology === 'hexagonal' && spec.toroidal && rows % 2 === 1 && rows > 1) {
      // An odd number of offset rows cannot wrap: the last row would meet the first shifted the same way.
      throw new RangeError(`a toroidal hexagonal map needs an even number of rows (got ${rows})`);
    }
    this.rows = rows;
    this.cols = cols;
    this.topology = spec.topology;
    this.toroidal = spec.toroidal;
    this.size = rows * cols;
    this.x = new Float64Array(this.size);
    this.y = new Float64Array(this.size);
    const hex = this.topology === 'hexagonal';
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const k = i * cols + j;
        this.x[k] = hex ? j + (i % 2 === 1 ? 0.5 : 0) : j;
        this.y[k] = hex ? i * ROW_HEIGHT_HEX : i;
      }
    }
    this.width = cols;
    this.height = hex ? rows * ROW_HEIGHT_HEX : rows;
  }

  /** Offsets along x and y from unit a to unit b, the shortest way round on a torus. */
  private delta(a: number, b: number): [number, number] {
    let dx = Math.abs(this.x[a]! - this.x[b]!);
    let dy = Math.abs(this.y[a]! - this.y[b]!);
    if (this.toroidal) {
      dx = Math.min(dx, this.width - dx);
      dy = Math.min(dy, this.height - dy);
    }
    return [dx, dy];
  }

  /** Squared Euclidean distance between two units in the map plane. */
  distance2(a: number, b: number): number {
    const [dx, dy] = this.delta(a, b);
    return dx * dx + dy * dy;
  }

  /**
   * Whether two different units are immediate neighbours: the 8-neighbourhood on a rectangular
   * map (Chebyshev distance 1, as the numpy reference counts topographic errors), the six
   * touching cells on a hexagonal one.
   */
  adjacent(a: number, b: number): boolean {
    if (a === b) return false;
    const [dx, dy] = this.delta(a, b);
    if (this.topology === 'rectangular') return Math.max(dx, dy) <= 1 + 1e-9;
    return dx * dx + dy * dy <= 1 + 1e-9;
  }

  /** Immediate neighbours of every unit (see `adjacent`). */
  neighbours(): Int32Array[] {
    if (!this.adjacencyCache) {
      const list: Int32Array[] = [];
      for (let a = 0; a < this.size; a++) {
        const n: number[] = [];
        for (let b = 0; b < this.size; b++) if (this.adjacent(a, b)) n.push(b);
        list.push(Int32Array.from(n));
      }
      this.adjacencyCache = list;
    }
    return this.adjacencyCache;
  }

  /** The K x K matrix of squared map distances. */
  distance2Matrix(): Float64Array {
    const k = this.size;
    const m = new Float64Array(k * k);
    for (let a = 0; a < k; a++) for (let b = a; b < k; b++) m[a * k + b] = m[b * k + a] = this.distance2(a, b);
    return m;
  }
}
