import { useEffect, useRef, useState, type TextareaHTMLAttributes } from 'react';

/** Same JSON value, whatever the formatting. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A textarea holding JSON that stays in sync with a value both ways: typing valid JSON reports
 * the value; a change of the value from elsewhere (the form) rewrites the text — but not while
 * the text already says the same thing, so the cursor and formatting stay put as one types.
 */
export function JsonText({
  value,
  onValue,
  onProblem,
  ...rest
}: {
  value: unknown;
  onValue: (v: unknown) => void;
  onProblem?: (message: string | null) => void;
} & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onChange' | 'onInvalid'>) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [problem, setProblem] = useState<string | null>(null);
  const report = (m: string | null) => {
    setProblem(m);
    onProblem?.(m);
  };
  /** The value as last reported by the text (typing) — the text need not be rewritten for it. */
  const last = useRef<unknown>(value);
  /** The value prop as last seen: an effect run without a real change does nothing. */
  const prop = useRef<unknown>(value);
  useEffect(() => {
    if (sameJson(value, prop.current)) return;
    prop.current = value;
    if (sameJson(value, last.current)) return;
    last.current = value;
    setText(value === undefined ? '' : JSON.stringify(value, null, 2));
    report(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <>
      <textarea
        {...rest}
        aria-invalid={problem ? true : rest['aria-invalid']}
        spellCheck={false}
        value={text}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (t.trim() === '') {
            last.current = undefined;
            report(null);
            onValue(undefined);
            return;
          }
          try {
            const v = JSON.parse(t) as unknown;
            last.current = v;
            report(null);
            onValue(v);
          } catch (err) {
            report(`Not valid JSON: ${(err as Error).message}`);
          }
        }}
      />
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}
