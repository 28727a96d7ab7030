import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PackageManager, listFiles } from '@vscode/vsce';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * What `npm run package` puts in the .vsix, as vsce itself computes it from .vscodeignore (an allow-list): what the
 * installed extension needs and what its page shows ships; sources, tests, source maps and tooling do not.
 * test/e2e/vsix.mjs checks the same on the built .vsix.
 */

const ROOT = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  bin?: Record<string, string>;
  icon?: string;
  contributes: {
    viewsContainers?: Record<string, { icon?: string }[]>;
    views?: Record<string, { icon?: string }[]>;
    jsonValidation?: { url: string }[];
    walkthroughs?: { steps: { media: { image?: string | Record<string, string>; markdown?: string; svg?: string } }[] }[];
  };
};

const rel = (p: string): string => p.replace(/^\.\//, '');

/** Relative link targets in the README: images (`![alt](path)`, `<img src>`) and documents (`[text](path)`). */
function readmeLinks(): { images: string[]; documents: string[] } {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const isRelative = (t: string) => !/^[a-z][\w+.-]*:|^#|^\//i.test(t);
  const clean = (t: string) => decodeURI(t.split('#')[0]);
  const images = [
    ...[...text.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...text.matchAll(/<img\s[^>]*src="([^"]+)"/g)].map((m) => m[1]),
  ].filter(isRelative).map(clean);
  const documents = [...text.matchAll(/(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?\s*\)/g)].map((m) => m[1]).filter(isRelative).map(clean);
  return { images, documents };
}

/** Files the running extension opens by path: `'dist', 'x.js'` and `'media', 'x.css'` anywhere in src/. */
function filesTheCodeOpens(): string[] {
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const found = new Set<string>();
  for (const file of sources) {
    for (const m of readFileSync(join(ROOT, 'src', file), 'utf8').matchAll(/'(dist|media)',\s*'([^']+)'/g)) found.add(`${m[1]}/${m[2]}`);
  }
  return [...found];
}

/** Files package.json itself names: icon, view icons, the schema, the walkthrough's media. */
function filesTheManifestNames(): string[] {
  const c = pkg.contributes;
  const icons = [...Object.values(c.viewsContainers ?? {}).flat(), ...Object.values(c.views ?? {}).flat()].map((v) => v.icon);
  const media = (c.walkthroughs ?? []).flatMap((w) => w.steps).flatMap(({ media: m }) => [
    ...(typeof m.image === 'string' ? [m.image] : Object.values(m.image ?? {})), m.markdown, m.svg,
  ]);
  return [pkg.icon, ...icons, ...(c.jsonValidation ?? []).map((v) => v.url), ...media]
    .filter((f): f is string => !!f && !f.startsWith('$('))
    .map(rel);
}

let files: string[] = [];
let shipped: Set<string>;

describe('the .vsix contents (.vscodeignore)', () => {
  beforeAll(async () => {
    files = await listFiles({ cwd: ROOT, packageManager: PackageManager.None });
    shipped = new Set(files);
  }, 60_000);

  it('ships every image the README shows and every document it links to under docs/ and examples/', () => {
    const { images, documents } = readmeLinks();
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(shipped.has(image), `README image ${image}`).toBe(true);
    for (const doc of documents.filter((d) => /^(docs|examples)\//.test(d))) expect(shipped.has(doc), `README link ${doc}`).toBe(true);
  });

  it('ships the files package.json names and the files the extension opens', () => {
    const names = [...filesTheManifestNames(), ...filesTheCodeOpens()];
    expect(names).toEqual(expect.arrayContaining(['media/icon.png', 'dist/engineWorker.js', 'media/panel.css']));
    for (const f of names) expect(shipped.has(f), f).toBe(true);
  });

  it('ships the bundles (main, bin, the worker, the panel, the summary) when they are built', () => {
    const bundles = [rel(pkg.main), ...Object.values(pkg.bin ?? {}).map(rel), ...filesTheCodeOpens().filter((f) => f.startsWith('dist/'))];
    const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const f of bundles) {
      // A fresh clone has no dist/: then the allow-list must still name the bundle.
      if (existsSync(join(ROOT, f))) expect(shipped.has(f), f).toBe(true);
      else expect(ignore, f).toContain(`!${f}`);
    }
  });

  it('ships the README, the changelog, the license and package.json', () => {
    for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json']) expect(shipped.has(f), f).toBe(true);
  });

  it('ships no sources, tests, source maps, dependencies or tooling', () => {
    const stray = files.filter((f) =>
      /^(src|test|scripts|node_modules|\.vscode-test|\.vscode|\.ci|\.git)\//.test(f) ||
      /^dist\/(test\/|train-examples|make-onnx-example)/.test(f) ||
      /\.(map|ts|mts|cts|vsix)$/.test(f) ||
      /(^|\/)(tsconfig\.json|esbuild\.mjs|eslint\.config\.mjs|vitest\.config\.ts|package-lock\.json|\.npmrc|\.gitignore)$/.test(f) ||
      f === 'media/icon.svg' || f.startsWith('webview/'));
    expect(stray).toEqual([]);
  });

  it('ships only screenshots that the README or the walkthrough shows', () => {
    const shown = new Set([...readmeLinks().images, ...filesTheManifestNames()]);
    const pictures = files.filter((f) => /^media\/.*\.(png|jpe?g|gif|webp)$/i.test(f));
    for (const p of pictures) expect(shown.has(p), p).toBe(true);
  });
});
