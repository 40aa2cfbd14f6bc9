#!/usr/bin/env node
// Draws the add-in's icon (a rounded blue square with two opposite arrows: "sync") at the sizes Office
// asks for, and writes assets/icon-<n>.png. PNG encoding uses only node's zlib, so no image dependency.
// Run: npm run icons   (the PNGs are committed; rerun only when the design changes)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const SIZES = [16, 32, 64, 80, 128];
const OUT_DIR = path.join(__dirname, '..', 'assets');
const BLUE = [0x00, 0x5a, 0x9e]; // near Outlook's brand blue
const WHITE = [0xff, 0xff, 0xff];

// --- geometry in a unit square (0..1), sampled with 4x4 supersampling for smooth edges ---

function insideRoundedSquare(x, y) {
  const r = 0.2;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

// An arrow: a horizontal shaft from x0 to x1 at height y, with a triangular head at x1.
function insideArrow(x, y, { x0, x1, yMid, pointsRight }) {
  const shaftHalf = 0.055;
  const headLen = 0.17;
  const headHalf = 0.14;
  const tip = x1;
  const headBase = pointsRight ? tip - headLen : tip + headLen;
  const lo = Math.min(x0, headBase);
  const hi = Math.max(x0, headBase);
  if (x >= lo && x <= hi && Math.abs(y - yMid) <= shaftHalf) return true;
  const along = pointsRight ? tip - x : x - tip; // 0 at the tip, headLen at the base
  if (along < 0 || along > headLen) return false;
  return Math.abs(y - yMid) <= (headHalf * along) / headLen;
}

const ARROWS = [
  { x0: 0.2, x1: 0.8, yMid: 0.36, pointsRight: true },
  { x0: 0.8, x1: 0.2, yMid: 0.64, pointsRight: false },
];

function sample(x, y) {
  if (!insideRoundedSquare(x, y)) return null;
  return ARROWS.some((a) => insideArrow(x, y, a)) ? WHITE : BLUE;
}

function renderRgba(size) {
  const ss = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, covered = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = sample((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (!c) continue;
          r += c[0]; g += c[1]; b += c[2]; covered++;
        }
      }
      const i = (py * size + px) * 4;
      if (covered > 0) {
        pixels[i] = Math.round(r / covered);
        pixels[i + 1] = Math.round(g / covered);
        pixels[i + 2] = Math.round(b / covered);
      }
      pixels[i + 3] = Math.round((255 * covered) / (ss * ss));
    }
  }
  return pixels;
}

// --- PNG encoding (RGBA, 8 bits, no interlace) ---

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  // compression, filter, interlace: 0
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function main() {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const size of SIZES) {
    const file = path.join(OUT_DIR, `icon-${size}.png`);
    fs.writeFileSync(file, encodePng(size, renderRgba(size)));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

module.exports = { SIZES, encodePng, renderRgba };
if (require.main === module) main();
