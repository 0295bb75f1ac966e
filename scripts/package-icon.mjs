// Draws the extension's icon, images/icon.png (128×128): lifetime lanes that end one after
// the other on a dark tile, with a fault mark. Plain Node (zlib's deflate, a PNG writer of
// a dozen lines), so it needs nothing installed: `node scripts/package-icon.mjs`.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = 128;
const SS = 4; // supersampling per axis
const px = new Float64Array(N * N * 4); // premultiplied RGBA accumulators

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

/** Paints a shape given by an inside(x, y) test, in colour c with alpha a. */
function paint(inside, c, a = 1) {
  const [r, g, b] = hex(c);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      let cover = 0;
      for (let sy = 0; sy < SS; sy++) for (let sx = 0; sx < SS; sx++) if (inside(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS)) cover++;
      if (!cover) continue;
      const al = (cover / (SS * SS)) * a;
      const i = (y * N + x) * 4;
      px[i] = r * al + px[i] * (1 - al);
      px[i + 1] = g * al + px[i + 1] * (1 - al);
      px[i + 2] = b * al + px[i + 2] * (1 - al);
      px[i + 3] = 255 * al + px[i + 3] * (1 - al);
    }
  }
}

const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

// the tile
paint(roundRect(4, 4, 124, 124, 22), '#1e2a38');
// a time axis
paint(roundRect(18, 104, 110, 106, 1), '#5b6b7d');
// four lanes, ending one after the other (module, device binding, drm device, data)
const lanes = [
  { y: 22, end: 106, c: '#3fb950' },
  { y: 42, end: 88, c: '#d29922' },
  { y: 62, end: 70, c: '#db6d28' },
  { y: 82, end: 50, c: '#8b98a8' },
];
for (const l of lanes) paint(roundRect(18, l.y, l.end, l.y + 12, 6), l.c);
// the current stop: a vertical marker
paint(roundRect(76, 14, 80, 100, 2), '#58a6ff', 0.9);
// a fault where a lane ended too early
paint(circle(50, 88, 11), '#1e2a38');
paint(circle(50, 88, 9), '#f85149');
paint(roundRect(48.6, 82, 51.4, 90, 1.2), '#ffffff');
paint(circle(50, 93.2, 1.6), '#ffffff');

// PNG encoding
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  for (let x = 0; x < N; x++) {
    const i = (y * N + x) * 4;
    const a = px[i + 3];
    const o = y * (N * 4 + 1) + 1 + x * 4;
    const un = (v) => (a > 0 ? Math.round(Math.min(255, (v * 255) / a)) : 0);
    raw[o] = un(px[i]);
    raw[o + 1] = un(px[i + 1]);
    raw[o + 2] = un(px[i + 2]);
    raw[o + 3] = Math.round(a);
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'images', 'icon.png');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
