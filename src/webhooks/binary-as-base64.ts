/**
 * A custom event's `data` as a webhook carries it: JSON, each binary value (a Buffer, typed array,
 * DataView or ArrayBuffer, as Socket.IO hands attachments over) as `{ "$binary": "<standard
 * base64>" }`, at any depth. Parts without binary inside are kept as they are, not copied. The
 * depth was bounded when the event was validated (MAX_PAYLOAD_DEPTH).
 */
export function binaryAsBase64(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof ArrayBuffer) return { $binary: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { $binary: bytes.toString('base64') };
  }
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    let copy: unknown[] | undefined;
    items.forEach((item, index) => {
      const converted = binaryAsBase64(item);
      if (converted !== item) (copy ??= [...items])[index] = converted;
    });
    return copy ?? items;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const converted = binaryAsBase64(item);
    if (converted !== item) (copy ??= { ...value })[key] = converted;
  }
  return copy ?? value;
}
