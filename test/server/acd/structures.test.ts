import { describe, expect, it } from 'vitest';
import { IndexedHeap } from '../../../src/server/acd/indexed-heap';
import { SortedArray } from '../../../src/server/acd/sorted-array';

interface Item {
  key: number;
  seq: number;
  heapIndex: number;
}

const compare = (a: Item, b: Item) => a.key - b.key || a.seq - b.seq;

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('priority structures', () => {
  it('the indexed heap pops in order and removes from the middle, like a sorted reference', () => {
    const rnd = random(1);
    const heap = new IndexedHeap<Item>(compare);
    let reference: Item[] = [];
    for (let i = 0; i < 5000; i++) {
      const op = rnd();
      if (op < 0.5 || reference.length === 0) {
        const item = { key: Math.floor(rnd() * 100), seq: i, heapIndex: -1 };
        heap.push(item);
        reference.push(item);
      } else if (op < 0.75) {
        reference.sort(compare);
        expect(heap.pop()).toBe(reference.shift());
      } else {
        const victim = reference[Math.floor(rnd() * reference.length)] as Item;
        expect(heap.remove(victim)).toBe(true);
        expect(heap.remove(victim)).toBe(false);
        reference = reference.filter((x) => x !== victim);
      }
      expect(heap.size).toBe(reference.length);
    }
    reference.sort(compare);
    const drained: Item[] = [];
    for (let item = heap.pop(); item; item = heap.pop()) drained.push(item);
    expect(drained).toEqual(reference);
  });

  it('the sorted array keeps order, finds ranks and removes by identity', () => {
    const rnd = random(2);
    const list = new SortedArray<Item>(compare);
    let reference: Item[] = [];
    for (let i = 0; i < 3000; i++) {
      if (rnd() < 0.6 || reference.length === 0) {
        const item = { key: Math.floor(rnd() * 50), seq: i, heapIndex: -1 };
        list.insert(item);
        reference.push(item);
        reference.sort(compare);
        expect(list.indexOf(item)).toBe(reference.indexOf(item));
      } else {
        const victim = reference[Math.floor(rnd() * reference.length)] as Item;
        expect(list.remove(victim)).toBe(reference.indexOf(victim));
        reference = reference.filter((x) => x !== victim);
      }
    }
    expect(list.values()).toEqual(reference);
    expect(list.firstIndexWhere((x) => x.key >= 25)).toBe(reference.findIndex((x) => x.key >= 25));
  });
});
