import type { GridParams, TensorGrid } from '../src/protocol/webview';
import { gridKey } from '../src/protocol/webview';

/**
 * Grids of values that never change while a session lives (weights), by source, name and grid, least
 * recently used dropped first. A failed fetch is forgotten so the next draw asks again.
 */
export class GridCache {
  private readonly entries = new Map<string, Promise<TensorGrid>>();

  constructor(private readonly capacity: number) {}

  get(p: GridParams, fetch: (p: GridParams) => Promise<TensorGrid>): Promise<TensorGrid> {
    const key = gridKey(p);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const made = fetch(p);
    this.entries.set(key, made);
    made.catch(() => {
      if (this.entries.get(key) === made) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return made;
  }

  clear(): void {
    this.entries.clear();
  }
}
