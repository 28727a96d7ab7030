import type { GridSpec, TensorGrid } from '../protocol/engine';

/**
 * Samples the values the panel draws: a grid of at most `maxValues` elements out of a tensor of any size, read
 * through a `read(start, count)` port. The engine service calls it in the worker where the tensor lives, so
 * only the sampled values cross to the extension host and the webview.
 */
export type ReadValues = (start: number, count: number) => Promise<ArrayLike<number>>;

/** Up to this many elements, the whole span is read and sampled in memory (so non-finite values stay visible). */
export const FULL_READ_LIMIT = 1 << 20;
/** Largest single read; bigger spans are read in pieces so no one message gets huge. */
export const READ_CHUNK = 1 << 18;

export interface SamplingPlan {
  readonly outRows: number;
  readonly outCols: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/**
 * Integer strides so that `maps × outRows × outCols ≤ maxValues`, growing the stride of whichever side has
 * more output cells, so sampled cells stay about square. Strides are 1 when everything fits.
 */
export function samplingPlan(maps: number, rows: number, cols: number, maxValues: number): SamplingPlan {
  const budget = Math.max(1, Math.floor(maxValues / Math.max(1, maps)));
  const out = (n: number, s: number) => Math.ceil(n / s);
  const guess = Math.max(1, Math.floor(Math.sqrt((rows * cols) / budget)));
  let rowStride = Math.min(guess, rows);
  let colStride = Math.min(guess, cols);
  while (out(rows, rowStride) * out(cols, colStride) > budget) {
    const r = out(rows, rowStride);
    const c = out(cols, colStride);
    if ((r >= c && r > 1) || c === 1) rowStride++;
    else colStride++;
  }
  return { outRows: out(rows, rowStride), outCols: out(cols, colStride), rowStride, colStride };
}

/** The element each sampled cell shows: the centre of its block of `stride` elements (the last block may be short). */
export function sampleIndices(n: number, stride: number): Int32Array {
  const out = new Int32Array(Math.ceil(n / stride));
  for (let i = 0; i < out.length; i++) {
    const start = i * stride;
    const end = Math.min(n, start + stride);
    out[i] = Math.floor((start + end - 1) / 2);
  }
  return out;
}

/**
 * Turns tensor values as they arrive into numbers: a typed array from the worker; what JSON made of one on
 * the debug adapter path (`{"0": 1.5, "1": null}` or an array), where NaN and ±Infinity became `null` and
 * are read back as NaN; or `{ base64, dtype }`, the row-major bytes of the engine's typed array, which keeps
 * every value and is five times smaller than JSON numbers (the form an adapter should send).
 */
export function toNumbers(values: unknown): ArrayLike<number> {
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) return values as unknown as ArrayLike<number>;
  const packed = values as { base64?: unknown; dtype?: unknown } | null;
  if (packed && typeof packed.base64 === 'string' && typeof packed.dtype === 'string') return fromBase64(packed.base64, packed.dtype);
  if (Array.isArray(values)) return Float64Array.from(values, (v) => (typeof v === 'number' ? v : NaN));
  if (typeof values === 'object' && values !== null) {
    const o = values as Record<string, unknown>;
    const n = Object.keys(o).length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = o[i];
      out[i] = typeof v === 'number' ? v : NaN;
    }
    return out;
  }
  throw new Error(`tensor values: expected an array, got ${typeof values}`);
}

const TYPED: Readonly<Record<string, { new (b: ArrayBuffer): ArrayLike<number>; BYTES_PER_ELEMENT: number }>> = {
  float32: Float32Array, int32: Int32Array, int64: Float64Array, bool: Uint8Array,
};

function fromBase64(base64: string, dtype: string): ArrayLike<number> {
  const Typed = TYPED[dtype];
  if (!Typed) throw new Error(`tensor values: unknown dtype '${dtype}'`);
  const text = atob(base64);
  if (text.length % Typed.BYTES_PER_ELEMENT) throw new Error(`tensor values: ${text.length} bytes are not whole ${dtype} elements`);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Typed(bytes.buffer);
}

/** Reads `count` elements from `start`, in pieces of at most {@link READ_CHUNK}. */
export async function readSpan(read: ReadValues, start: number, count: number): Promise<Float64Array> {
  const out = new Float64Array(count);
  for (let done = 0; done < count;) {
    const n = Math.min(READ_CHUNK, count - done);
    const got = await read(start + done, n);
    if (got.length !== n) throw new Error(`tensor values: asked for ${n} elements from ${start + done}, got ${got.length}`);
    for (let i = 0; i < n; i++) out[done + i] = got[i];
    done += n;
  }
  return out;
}

/** The element strides of a grid's rows and columns: as given, else each map a contiguous row-major matrix. */
export function gridStrides(p: GridSpec): { rowStride: number; colStride: number } {
  return { rowStride: p.rowStride ?? p.cols, colStride: p.colStride ?? 1 };
}

/** Elements from the grid's first element to its last, both included. */
export function gridSpan(p: GridSpec): number {
  const { rowStride, colStride } = gridStrides(p);
  return (p.maps - 1) * p.mapStride + (p.rows - 1) * rowStride + (p.cols - 1) * colStride + 1;
}

/** Checks that the grid lies inside a tensor of `size` elements; the message names what is wrong. */
export function checkGrid(p: GridSpec, size: number): void {
  const ints = {
    offset: p.offset, maps: p.maps, mapStride: p.mapStride, rows: p.rows, cols: p.cols, maxValues: p.maxValues,
    ...(p.rowStride !== undefined ? { rowStride: p.rowStride } : {}), ...(p.colStride !== undefined ? { colStride: p.colStride } : {}),
  };
  for (const [k, v] of Object.entries(ints)) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`grid of '${p.name}': ${k} must be a whole number ≥ 0, got ${v}`);
  }
  if (p.maps < 1 || p.rows < 1 || p.cols < 1 || p.maxValues < 1) {
    throw new Error(`grid of '${p.name}': maps, rows, cols and maxValues must be at least 1`);
  }
  const last = p.offset + gridSpan(p);
  if (last > size) throw new Error(`grid of '${p.name}' ends at element ${last}, but the tensor has ${size}`);
}

/** Where the sampled cells of a grid are, in elements from its first: the same walk for every way of reading. */
interface Walk {
  readonly mapStride: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/**
 * Reads and samples the grid `p` of a tensor of `size` elements. Element (m, r, c) of the grid is at
 * `offset + m·mapStride + r·rowStride + c·colStride`, so a channels-last map or any other pair of axes is read
 * in place, with no copy of the tensor.
 */
export async function readGrid(read: ReadValues, p: GridSpec, size: number): Promise<TensorGrid> {
  checkGrid(p, size);
  const plan = samplingPlan(p.maps, p.rows, p.cols, p.maxValues);
  const rowIndex = sampleIndices(p.rows, plan.rowStride);
  const colIndex = sampleIndices(p.cols, plan.colStride);
  const exact = plan.rowStride === 1 && plan.colStride === 1;
  const walk: Walk = { mapStride: p.mapStride, ...gridStrides(p) };
  const span = gridSpan(p);
  const values = new Float64Array(p.maps * plan.outRows * plan.outCols);
  let substituted = 0;
  if (span <= FULL_READ_LIMIT || (exact && span <= 4 * p.maps * p.rows * p.cols)) {
    const data = await readSpan(read, p.offset, span);
    for (let m = 0; m < p.maps; m++) {
      substituted += sampleMap(data, m * walk.mapStride, walk, p.rows, p.cols, plan, rowIndex, colIndex, values, m * plan.outRows * plan.outCols);
    }
  } else if (walk.mapStride < walk.rowStride) {
    // Too large to read whole, maps interleaved within a row (channels last): one read per sampled row serves every map.
    const rowSpan = (p.maps - 1) * walk.mapStride + (p.cols - 1) * walk.colStride + 1;
    const per = plan.outRows * plan.outCols;
    for (let i = 0; i < plan.outRows; i++) {
      const row = await readSpan(read, p.offset + rowIndex[i] * walk.rowStride, rowSpan);
      for (let m = 0; m < p.maps; m++) {
        for (let j = 0; j < plan.outCols; j++) values[m * per + i * plan.outCols + j] = row[m * walk.mapStride + colIndex[j] * walk.colStride];
      }
    }
  } else {
    // Too large to read whole: read only the sampled rows and pick the sampled columns.
    const rowSpan = (p.cols - 1) * walk.colStride + 1;
    let k = 0;
    for (let m = 0; m < p.maps; m++) {
      for (let i = 0; i < plan.outRows; i++) {
        const row = await readSpan(read, p.offset + m * walk.mapStride + rowIndex[i] * walk.rowStride, rowSpan);
        for (let j = 0; j < plan.outCols; j++) values[k++] = row[colIndex[j] * walk.colStride];
      }
    }
  }
  return { outRows: plan.outRows, outCols: plan.outCols, rowIndex, colIndex, values, exact, substituted };
}

/**
 * Fills one map's sampled cells from fully read data: each cell takes its block's centre, unless the block
 * holds a NaN (first one wins) or else an Inf, which it shows instead. Returns how many cells were substituted.
 */
function sampleMap(
  data: Float64Array, base: number, walk: Walk, rows: number, cols: number, plan: SamplingPlan,
  rowIndex: Int32Array, colIndex: Int32Array, out: Float64Array, outBase: number,
): number {
  let substituted = 0;
  const exact = plan.rowStride === 1 && plan.colStride === 1;
  for (let i = 0; i < plan.outRows; i++) {
    for (let j = 0; j < plan.outCols; j++) {
      let v = data[base + rowIndex[i] * walk.rowStride + colIndex[j] * walk.colStride];
      if (!exact && Number.isFinite(v)) {
        const special = blockNonFinite(data, base, walk, i * plan.rowStride, Math.min(rows, (i + 1) * plan.rowStride),
          j * plan.colStride, Math.min(cols, (j + 1) * plan.colStride));
        if (special !== undefined) {
          v = special;
          substituted++;
        }
      }
      out[outBase + i * plan.outCols + j] = v;
    }
  }
  return substituted;
}

function blockNonFinite(data: Float64Array, base: number, walk: Walk, r0: number, r1: number, c0: number, c1: number): number | undefined {
  let inf: number | undefined;
  for (let r = r0; r < r1; r++) {
    const row = base + r * walk.rowStride;
    for (let c = c0; c < c1; c++) {
      const v = data[row + c * walk.colStride];
      if (v !== v) return NaN;
      if (inf === undefined && (v === Infinity || v === -Infinity)) inf = v;
    }
  }
  return inf;
}
