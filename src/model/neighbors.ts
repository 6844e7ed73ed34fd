/**
 * The M nearest training rows of one query, ordered by (NCD ascending, training index ascending).
 * Candidates must be offered in increasing training index, which makes the order stable for free:
 * a candidate whose distance equals the current worst never displaces it.
 */
export class NearestNeighbors {
  readonly capacity: number;
  readonly distances: Float64Array;
  readonly indices: Int32Array;
  size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.distances = new Float64Array(capacity);
    this.indices = new Int32Array(capacity);
  }

  reset(): void {
    this.size = 0;
  }

  /** Worst distance kept so far, or Infinity while not full: a candidate must beat it strictly. */
  get threshold(): number {
    return this.size < this.capacity ? Infinity : this.distances[this.size - 1];
  }

  offer(distance: number, index: number): void {
    const { distances, indices } = this;
    let pos = this.size < this.capacity ? this.size : this.size - 1;
    if (this.size === this.capacity && !(distance < distances[pos])) return;
    // Shift worse entries right; equal distances stay ahead (they have smaller indices).
    while (pos > 0 && distances[pos - 1] > distance) {
      distances[pos] = distances[pos - 1];
      indices[pos] = indices[pos - 1];
      pos--;
    }
    distances[pos] = distance;
    indices[pos] = index;
    if (this.size < this.capacity) this.size++;
  }

  toList(): Neighbor[] {
    const out: Neighbor[] = [];
    for (let i = 0; i < this.size; i++) out.push({ index: this.indices[i], distance: this.distances[i] });
    return out;
  }
}

export interface Neighbor {
  /** 0-based training row. */
  index: number;
  /** NCD to the query. */
  distance: number;
}
