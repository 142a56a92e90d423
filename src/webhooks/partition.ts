/**
 * The partition of an event's key (`room:<name>`, `user:<id>`): FNV-1a over its UTF-16 code
 * units, so that every node puts a room's events, and a user's, in the same partition.
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
