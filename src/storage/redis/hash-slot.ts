/** How many hash slots a Redis Cluster divides its keys into. */
export const HASH_SLOTS = 16_384;

/**
 * The hash slot of a key in a Redis Cluster: CRC16 (XMODEM) of its hash tag (what lies between
 * its first `{` and the next `}`, when not empty), else of the whole key, modulo 16384. Keys of
 * one slot live on one master, and only they may meet in one script.
 */
export function hashSlotOf(key: string): number {
  const bytes = Buffer.from(key);
  const open = bytes.indexOf(0x7b);
  const close = open < 0 ? -1 : bytes.indexOf(0x7d, open + 1);
  const hashed = close > open + 1 ? bytes.subarray(open + 1, close) : bytes;
  let crc = 0;
  for (const byte of hashed) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc % HASH_SLOTS;
}
