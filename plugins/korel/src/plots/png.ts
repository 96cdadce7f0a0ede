import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { initWasm, Resvg } from '@resvg/resvg-wasm';

/**
 * SVG → PNG with resvg compiled to WebAssembly: no native addon (so it loads in any worker
 * thread and on any platform) and no system fonts (DejaVu Sans comes from npm), so the PNG is
 * the same on every machine.
 */
const require = createRequire(import.meta.url);
let ready: Promise<Uint8Array> | null = null;

async function init(): Promise<Uint8Array> {
  const [wasm, font] = await Promise.all([
    readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')),
    readFile(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
  ]);
  await initWasm(wasm);
  return new Uint8Array(font);
}

export async function svgToPng(svg: string, scale = 1.5): Promise<Uint8Array> {
  ready ??= init();
  let font: Uint8Array;
  try {
    font = await ready;
  } catch (err) {
    ready = null;
    throw err;
  }
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { fontBuffers: [font], defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    background: '#ffffff',
  });
  try {
    const img = r.render();
    const png = img.asPng();
    img.free();
    return png;
  } finally {
    r.free();
  }
}
