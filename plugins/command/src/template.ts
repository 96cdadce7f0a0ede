/**
 * Argument templates: each template argument becomes zero, one or several arguments of the
 * program — never a shell string, so a value can never be interpreted as anything but data.
 */

export const BUILTINS = ['workDir', 'resultDir', 'jobId', 'examplesDir'] as const;
export type Builtins = Record<(typeof BUILTINS)[number], string>;

type Token = { kind: 'text'; text: string } | { kind: 'param'; name: string; flagText?: string };

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Split one template argument into text and placeholders. */
export function tokenize(arg: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i]!;
    if (c === '{' && arg[i + 1] === '{') {
      text += '{';
      i++;
    } else if (c === '}' && arg[i + 1] === '}') {
      text += '}';
      i++;
    } else if (c === '{') {
      const end = arg.indexOf('}', i);
      if (end < 0) throw new TemplateError(`argument '${arg}': '{' without a closing '}' (write {{ for a literal brace)`);
      const inner = arg.slice(i + 1, end);
      const q = inner.indexOf('?');
      const name = q < 0 ? inner : inner.slice(0, q);
      if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name)) throw new TemplateError(`argument '${arg}': '{${inner}}' is not a placeholder name`);
      if (text) tokens.push({ kind: 'text', text });
      text = '';
      tokens.push(q < 0 ? { kind: 'param', name } : { kind: 'param', name, flagText: inner.slice(q + 1) });
      i = end;
    } else if (c === '}') {
      throw new TemplateError(`argument '${arg}': '}' without an opening '{' (write }} for a literal brace)`);
    } else {
      text += c;
    }
  }
  if (text) tokens.push({ kind: 'text', text });
  return tokens;
}

/** The parameter names a template refers to (for checking the config at start). */
export function placeholders(args: readonly string[]): string[] {
  return args.flatMap((a) => tokenize(a).flatMap((t) => (t.kind === 'param' ? [t.name] : [])));
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Expand the template with typed parameter values. */
export function expandArgs(args: readonly string[], params: Readonly<Record<string, unknown>>, builtins: Builtins): string[] {
  const out: string[] = [];
  const lookup = (name: string): unknown => (name in builtins ? builtins[name as keyof Builtins] : params[name]);
  for (const arg of args) {
    const tokens = tokenize(arg);
    // An argument that is exactly one placeholder expands arrays into several arguments.
    if (tokens.length === 1 && tokens[0]!.kind === 'param' && tokens[0]!.flagText === undefined) {
      const v = lookup(tokens[0]!.name);
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) out.push(...v.map(scalar));
      else out.push(scalar(v));
      continue;
    }
    let s = '';
    let drop = false;
    for (const t of tokens) {
      if (t.kind === 'text') s += t.text;
      else {
        const v = lookup(t.name);
        if (t.flagText !== undefined) {
          if (v === true) s += t.flagText;
          else drop = drop || tokens.length === 1;
        } else if (v === undefined || v === null) drop = true;
        else s += Array.isArray(v) ? v.map(scalar).join(',') : scalar(v);
      }
    }
    if (!drop && !(s === '' && tokens.every((t) => t.kind === 'param' && t.flagText !== undefined))) out.push(s);
  }
  return out;
}
