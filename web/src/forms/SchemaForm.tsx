import { useEffect, useId, useState } from 'react';
import type { Field, FormValues } from './schema';
import { parseText } from './schema';
import { JsonText } from './JsonText';
import { StoragePicker } from '../components/StoragePicker';
import { formatBytes } from '../api/files';
import type { StorageKind } from '../api/types';

/** Where a file parameter's bytes come from. */
export type FileChoice = { kind: 'local'; file: File } | { kind: 'storage'; path: string; name: string } | { kind: 'url'; href: string; name: string };

export type FileChoices = Record<string, FileChoice>;

function describe(f: Field): string {
  const bits: string[] = [];
  if (f.min !== undefined) bits.push(`≥ ${f.min}`);
  if (f.exclusiveMin !== undefined) bits.push(`> ${f.exclusiveMin}`);
  if (f.max !== undefined) bits.push(`≤ ${f.max}`);
  if (f.exclusiveMax !== undefined) bits.push(`< ${f.exclusiveMax}`);
  return bits.join(', ');
}

function FileInput({
  field,
  choice,
  onChange,
  describedBy,
}: {
  field: Field;
  choice: FileChoice | undefined;
  onChange: (c: FileChoice | undefined) => void;
  describedBy: string;
}) {
  const [picking, setPicking] = useState(false);
  const id = useId();
  return (
    <div className="file-field">
      <input
        id={id}
        type="file"
        aria-label={`${field.label}: upload a file`}
        aria-describedby={describedBy}
        onChange={(e) => {
          const f = e.target.files?.[0];
          onChange(f ? { kind: 'local', file: f } : undefined);
        }}
      />
      <button type="button" onClick={() => setPicking(true)}>
        From my files…
      </button>
      {choice && (
        <span className="file-choice">
          {choice.kind === 'local'
            ? `${choice.file.name} (${formatBytes(choice.file.size)})`
            : choice.kind === 'storage'
              ? choice.path
              : `${choice.name} (from the earlier job)`}
          <button type="button" className="link" onClick={() => onChange(undefined)} aria-label={`Clear ${field.label}`}>
            clear
          </button>
        </span>
      )}
      <StoragePicker
        open={picking}
        kind="file"
        title={`Choose ${field.label}`}
        onClose={() => setPicking(false)}
        onPick={(path, entry) => {
          setPicking(false);
          onChange({ kind: 'storage', path, name: entry?.name ?? path.split('/').pop() ?? 'file' });
        }}
      />
    </div>
  );
}

/** What a storage path of each kind looks like; a target folder need not exist yet. */
const PLACEHOLDERS: Record<StorageKind, string> = {
  file: '~/spectra/a.fits',
  folder: '~/spectra/',
  any: '~/spectra/a.fits or ~/spectra/',
  target: '~/imports/new-folder (created if missing)',
};

function StorageInput({
  field,
  value,
  onChange,
  describedBy,
  id,
}: {
  field: Field;
  value: string;
  onChange: (v: string) => void;
  describedBy: string;
  id: string;
}) {
  const [picking, setPicking] = useState(false);
  return (
    <div className="row">
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={PLACEHOLDERS[field.storageKind]}
        aria-describedby={describedBy}
      />
      <button type="button" onClick={() => setPicking(true)}>
        Browse…
      </button>
      <StoragePicker
        open={picking}
        kind={field.storageKind}
        title={`Choose ${field.label}`}
        onClose={() => setPicking(false)}
        onPick={(path) => {
          setPicking(false);
          onChange(path);
        }}
      />
    </div>
  );
}

/** Items as lines of text; the text is kept as typed (blank lines too) while the value is its non-empty lines. */
function ListInput({ field, value, onValue, common }: { field: Field; value: unknown; onValue: (v: unknown) => void; common: Record<string, unknown> }) {
  const items = Array.isArray(value) ? value.map(String) : [];
  const [text, setText] = useState(items.join('\n'));
  const [picking, setPicking] = useState(false);
  const parse = (t: string) =>
    t
      .split('\n')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  // a value set elsewhere (the JSON editor, "run again") replaces the text
  useEffect(() => {
    if (parse(text).join('\n') !== items.join('\n')) setText(items.join('\n'));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items.join('\n')]);
  const set = (t: string) => {
    setText(t);
    const xs = parse(t);
    onValue(field.itemType === 'number' || field.itemType === 'integer' ? xs.map((x) => (Number.isFinite(Number(x)) ? Number(x) : x)) : xs);
  };
  return (
    <>
      <textarea {...common} rows={3} value={text} placeholder="one value per line" onChange={(e) => set(e.target.value)} />
      {field.kind === 'storage-list' && (
        <>
          <button type="button" onClick={() => setPicking(true)}>
            Add from my files…
          </button>
          <StoragePicker
            open={picking}
            kind={field.storageKind}
            title={`Add to ${field.label}`}
            onClose={() => setPicking(false)}
            onPick={(path) => {
              setPicking(false);
              set([...parse(text), path].join('\n'));
            }}
          />
        </>
      )}
    </>
  );
}

/** One field: label, widget, unit, bounds, description and its inline message. */
function FieldRow({
  field,
  value,
  error,
  file,
  onValue,
  onFile,
}: {
  field: Field;
  value: unknown;
  error: string | undefined;
  file: FileChoice | undefined;
  onValue: (v: unknown) => void;
  onFile: (c: FileChoice | undefined) => void;
}) {
  const id = useId();
  const helpId = `${id}-help`;
  const errId = `${id}-err`;
  const describedBy = [field.description || describe(field) ? helpId : '', error ? errId : ''].filter(Boolean).join(' ');
  const common = { id, 'aria-describedby': describedBy || undefined, 'aria-invalid': error ? true : undefined, name: field.name };
  const text = value === undefined || value === null ? '' : String(value);
  let widget;
  switch (field.kind) {
    case 'file':
      widget = <FileInput field={field} choice={file} onChange={onFile} describedBy={describedBy} />;
      break;
    case 'storage':
      widget = <StorageInput field={field} value={text} onChange={onValue} describedBy={describedBy} id={id} />;
      break;
    case 'enum':
      widget = (
        <select {...common} value={text} onChange={(e) => onValue(parseText(field, e.target.value))}>
          {!field.required && field.default === undefined && <option value="">(not set)</option>}
          {field.options.map((o) => (
            <option key={String(o.value)} value={String(o.value)}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case 'boolean':
      widget = <input {...common} type="checkbox" checked={value === true} onChange={(e) => onValue(e.target.checked)} />;
      break;
    case 'integer':
    case 'number':
      widget = (
        <input
          {...common}
          type="number"
          inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
          step={field.kind === 'integer' ? 1 : 'any'}
          min={field.min}
          max={field.max}
          value={text}
          onChange={(e) => onValue(e.target.value === '' ? undefined : Number.isFinite(e.target.valueAsNumber) ? e.target.valueAsNumber : e.target.value)}
        />
      );
      break;
    case 'secret':
      widget = <input {...common} type="password" autoComplete="off" value={text} onChange={(e) => onValue(e.target.value)} />;
      break;
    case 'text':
      widget = <textarea {...common} rows={4} value={text} onChange={(e) => onValue(e.target.value)} />;
      break;
    case 'multi-enum': {
      const chosen = Array.isArray(value) ? value : [];
      widget = (
        <fieldset className="checks" aria-describedby={describedBy || undefined}>
          <legend className="sr-only">{field.label}</legend>
          {field.options.map((o) => (
            <label key={String(o.value)} className="chip">
              <input
                type="checkbox"
                checked={chosen.includes(o.value)}
                onChange={(e) => onValue(e.target.checked ? [...chosen, o.value] : chosen.filter((x) => x !== o.value))}
              />
              {o.label}
            </label>
          ))}
        </fieldset>
      );
      break;
    }
    case 'list':
    case 'storage-list':
      widget = <ListInput field={field} value={value} onValue={onValue} common={common} />;
      break;
    case 'json':
      widget = <JsonText {...common} rows={5} className="mono" value={value} onValue={onValue} />;
      break;
    default:
      widget = <input {...common} value={text} onChange={(e) => onValue(e.target.value)} />;
  }
  const checkbox = field.kind === 'boolean';
  return (
    <div className={`field field-${field.kind}${error ? ' invalid' : ''}`} data-field={field.name}>
      <label htmlFor={field.kind === 'file' || field.kind === 'multi-enum' ? undefined : id} className={checkbox ? 'check-label' : undefined}>
        {checkbox && widget}
        <span className="field-label">
          {field.label}
          {field.required && (
            <span className="required" aria-label="required">
              {' '}
              *
            </span>
          )}
          {field.unit && <span className="unit"> [{field.unit}]</span>}
        </span>
      </label>
      {!checkbox && widget}
      {(field.description || describe(field)) && (
        <p id={helpId} className="help">
          {field.description} {describe(field) && <span className="bounds">({describe(field)})</span>}
        </p>
      )}
      {error && (
        <p id={errId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The form generated from a job type's parameter schema. */
export function SchemaForm({
  fields,
  values,
  errors,
  files,
  onValues,
  onFiles,
}: {
  fields: readonly Field[];
  values: FormValues;
  errors: Record<string, string>;
  files: FileChoices;
  onValues: (v: FormValues) => void;
  onFiles: (f: FileChoices) => void;
}) {
  if (fields.length === 0) return <p className="muted">This job type has no parameters.</p>;
  return (
    <div className="schema-form">
      {fields.map((f) => (
        <FieldRow
          key={f.name}
          field={f}
          value={values[f.name]}
          error={errors[f.name]}
          file={files[f.name]}
          onValue={(v) => {
            const next = { ...values };
            if (v === undefined) delete next[f.name];
            else next[f.name] = v;
            onValues(next);
          }}
          onFile={(c) => {
            const next = { ...files };
            if (c) next[f.name] = c;
            else delete next[f.name];
            onFiles(next);
          }}
        />
      ))}
    </div>
  );
}
