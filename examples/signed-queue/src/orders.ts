/** Order events, the example's messages: JSON of the size asked for. */

/** An `order.placed` event whose JSON text is `bytes` long (or its fixed fields' size, if larger): as many order lines as fit, then padding in `notes`. */
export function orderEvent(orderId: string, bytes = 1024): Record<string, unknown> {
  const lines: { sku: string; quantity: number; unitPrice: number }[] = [];
  const event = { type: 'order.placed', orderId, placedAt: '2030-01-01T12:00:00.000Z', customer: { id: 'c-1042', tier: 'gold' }, lines, notes: '' };
  let size = Buffer.byteLength(JSON.stringify(event), 'utf8');
  for (;;) {
    const line = { sku: `sku-${String(lines.length + 1).padStart(5, '0')}`, quantity: 1 + (lines.length % 5), unitPrice: 4.25 };
    const lineBytes = Buffer.byteLength(JSON.stringify(line), 'utf8') + (lines.length === 0 ? 0 : 1);
    if (size + lineBytes > bytes) break;
    lines.push(line);
    size += lineBytes;
  }
  return { ...event, notes: 'n'.repeat(Math.max(0, bytes - size)) };
}
