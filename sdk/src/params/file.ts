import { Type, type StringOptions, type TString } from '@sinclair/typebox';

/**
 * A parameter that carries a file: uploaded inline (multipart) or by DALI `UPLOAD=name,uri`.
 * In `ctx.parameters` and `ctx.files` it is the absolute local path of the file.
 * (`format: 'binary'` is OpenAPI's marker for file uploads, so generated docs and forms agree.)
 */
export function FileParameter(options: StringOptions = {}): TString {
  return Type.String({ ...options, format: 'binary' });
}
