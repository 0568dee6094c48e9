/** Hex helpers for byte-exact assertions; spaces in expected hex are ignored. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function filled(length: number, byte: number): Uint8Array {
  return new Uint8Array(length).fill(byte);
}
