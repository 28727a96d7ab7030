// Renders the extension icon media/icon.svg to media/icon.png (256×256, transparent corners), the picture that
// package.json `icon` names. Run after changing the SVG:
//   node scripts/make-icon.mjs
// Uses playwright-core with Debian's Chromium (CHROMIUM_BIN, default /usr/bin/chromium).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const svgPath = join(root, 'media', 'icon.svg');
const pngPath = join(root, 'media', 'icon.png');
/** The SVG is drawn on 128×128; rendered at twice that for high-density screens. */
const size = 128;
const scale = 2;

const svg = readFileSync(svgPath, 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: scale });
  await page.setContent(
    `<!doctype html><html><head><style>html,body{margin:0;padding:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style></head>` +
    `<body>${svg}</body></html>`,
  );
  const png = await page.locator('svg').screenshot({ omitBackground: true });
  writeFileSync(pngPath, png);
  console.log(`wrote ${pngPath} (${size * scale}×${size * scale}, ${png.length} bytes)`);
} finally {
  await browser.close();
}
