/** Class labels for the inputs: JSON {name: class}, CSV name,class, or one byte per row (.u8). */
import { InputError } from './dataset.js';
import { detectDelimiter, splitLine } from './matrix.js';

/** Names may be given with or without folders and file extensions; match on the bare stem too. */
export function stem(name: string): string {
  const base = name.split('/').pop() ?? name;
  return base.replace(/\.(fits?|fit|fz|gz|vot|xml|csv|txt|tsv|dat)$/gi, '').replace(/\.(fits?|fit)$/i, '');
}

/**
 * Map labels onto the rows. Returns one class (or null) per row; throws when the labels match no
 * row at all (most likely the wrong file).
 */
export function applyLabels(bytes: Uint8Array, fileName: string, names: readonly string[], classNames?: readonly string[]): (string | null)[] {
  const n = names.length;
  if (/\.u8$/i.test(fileName)) {
    if (bytes.length !== n) throw new InputError(`${fileName}: ${bytes.length} labels for ${n} spectra`);
    return Array.from(bytes, (b) => classNames?.[b] ?? String(b));
  }
  const text = new TextDecoder().decode(bytes);
  const byName = new Map<string, string>();
  if (/^\s*\{/.test(text)) {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      throw new InputError(`${fileName}: not valid JSON (${(err as Error).message})`);
    }
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) byName.set(k, String(v));
  } else {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const delimiter = lines.length ? detectDelimiter(lines[0]!) : ',';
    for (const line of lines) {
      const cells = splitLine(line, delimiter);
      if (cells.length >= 2) byName.set(cells[0]!, cells[1]!);
    }
  }
  const byStem = new Map<string, string>();
  for (const [k, v] of byName) byStem.set(stem(k), v);
  let matched = 0;
  const out = names.map((nm) => {
    const c = byName.get(nm) ?? byStem.get(stem(nm)) ?? null;
    if (c !== null) matched++;
    return c;
  });
  if (matched === 0 && n > 0) {
    throw new InputError(`${fileName}: none of its ${byName.size} names matches an input spectrum (e.g. '${names[0]}')`);
  }
  return out;
}
