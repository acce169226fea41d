/** LASzip's 5-value streaming "median": an insertion into a sorted window that alternately drops
 * the highest or lowest value. The predictor for the next coordinate delta is values[2]. */
export class StreamingMedian5 {
  private readonly values = new Int32Array(5);
  private high = true;

  init(): void {
    this.values.fill(0);
    this.high = true;
  }

  get(): number {
    return this.values[2]!;
  }

  add(v: number): void {
    const a = this.values;
    if (this.high) {
      if (v < a[2]!) {
        a[4] = a[3]!;
        a[3] = a[2]!;
        if (v < a[0]!) {
          a[2] = a[1]!;
          a[1] = a[0]!;
          a[0] = v;
        } else if (v < a[1]!) {
          a[2] = a[1]!;
          a[1] = v;
        } else {
          a[2] = v;
        }
      } else {
        if (v < a[3]!) {
          a[4] = a[3]!;
          a[3] = v;
        } else {
          a[4] = v;
        }
        this.high = false;
      }
    } else if (a[2]! < v) {
      a[0] = a[1]!;
      a[1] = a[2]!;
      if (a[4]! < v) {
        a[2] = a[3]!;
        a[3] = a[4]!;
        a[4] = v;
      } else if (a[3]! < v) {
        a[2] = a[3]!;
        a[3] = v;
      } else {
        a[2] = v;
      }
    } else {
      if (a[1]! < v) {
        a[0] = a[1]!;
        a[1] = v;
      } else {
        a[0] = v;
      }
      this.high = true;
    }
  }
}
