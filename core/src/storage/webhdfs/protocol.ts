import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * The JSON shapes of the WebHDFS REST API (Hadoop's "JSON Schemas" section), limited to the
 * fields vocloud reads. WebHDFS allows any additional property, so the objects are open.
 * Every response is checked against these before use: a proxy's HTML error page or a
 * half-written body becomes a clear error instead of `undefined` deep in the backend.
 */
export const FileStatusSchema = Type.Object({
  pathSuffix: Type.String(),
  type: Type.Union([Type.Literal('FILE'), Type.Literal('DIRECTORY'), Type.Literal('SYMLINK')]),
  length: Type.Number({ minimum: 0 }),
  modificationTime: Type.Number(),
  owner: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  permission: Type.Optional(Type.String()),
  childrenNum: Type.Optional(Type.Number()),
});
export type FileStatus = Static<typeof FileStatusSchema>;

const FileStatusesSchema = Type.Object({ FileStatus: Type.Array(FileStatusSchema) });

export const Responses = {
  FileStatus: Type.Object({ FileStatus: FileStatusSchema }),
  FileStatuses: Type.Object({ FileStatuses: FileStatusesSchema }),
  DirectoryListing: Type.Object({
    DirectoryListing: Type.Object({
      partialListing: Type.Object({ FileStatuses: FileStatusesSchema }),
      remainingEntries: Type.Number({ minimum: 0 }),
    }),
  }),
  ContentSummary: Type.Object({ ContentSummary: Type.Object({ length: Type.Number({ minimum: 0 }) }) }),
  boolean: Type.Object({ boolean: Type.Boolean() }),
  /** `noredirect=true` answers, and some gateways: the datanode URL as JSON instead of a 307. */
  Location: Type.Object({ Location: Type.String() }),
  RemoteException: Type.Object({
    RemoteException: Type.Object({
      exception: Type.String(),
      message: Type.Optional(Type.String()),
      javaClassName: Type.Optional(Type.String()),
    }),
  }),
} as const;

export type ResponseName = keyof typeof Responses;
export type ResponseOf<N extends ResponseName> = Static<(typeof Responses)[N]>;

const checkers = new Map<ResponseName, ReturnType<typeof TypeCompiler.Compile<TSchema>>>();

/** True when `value` has the documented shape of response `name`. */
export function isResponse<N extends ResponseName>(name: N, value: unknown): value is ResponseOf<N> {
  let c = checkers.get(name);
  if (!c) checkers.set(name, (c = TypeCompiler.Compile(Responses[name] as TSchema)));
  return c.Check(value);
}

/** The first schema violation, for an error message. */
export function firstProblem(name: ResponseName, value: unknown): string {
  const c = checkers.get(name) ?? TypeCompiler.Compile(Responses[name] as TSchema);
  const e = c.Errors(value).First();
  return e ? `${e.path || '/'}: ${e.message}` : 'unexpected shape';
}
