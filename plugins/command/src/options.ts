import { Type, type Static } from '@vocloud/sdk';

/** One job type that wraps a local program, as an admin writes it in the config. */
export const CommandJobTypeSchema = Type.Object(
  {
    name: Type.String({ description: 'The job type: /uws/{name}' }),
    title: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    version: Type.Optional(Type.String()),
    command: Type.String({
      minLength: 1,
      description: "Absolute path of the program, a name found on PATH when the server starts, or 'node' for this Node.js",
    }),
    args: Type.Array(Type.String(), {
      default: [],
      description:
        'Argument template: {name} is a parameter (an arg that is exactly {name} expands an array to several args; an arg whose parameter is absent is left out), {name?text} gives text when a boolean parameter is true, builtins {workDir} {resultDir} {jobId} {examplesDir}; {{ is a literal {',
    }),
    parameters: Type.Object(
      {
        type: Type.Literal('object'),
        properties: Type.Record(Type.String(), Type.Unknown()),
      },
      { additionalProperties: true, description: 'JSON Schema of the parameters (type: object)' },
    ),
    env: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Environment variables for the program (it does not inherit the server environment)' }),
    limits: Type.Optional(
      Type.Object(
        {
          defaultExecutionDuration: Type.Optional(Type.Integer({ minimum: 1 })),
          maxExecutionDuration: Type.Optional(Type.Integer({ minimum: 0 })),
          concurrency: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    restricted: Type.Boolean({ default: false, description: 'Only managers and admins may run it' }),
    progressPattern: Type.Optional(
      Type.String({ description: 'Regular expression for stdout lines that report progress; its first group is a percentage (0–100)' }),
    ),
  },
  { additionalProperties: false },
);

export const CommandOptionsSchema = Type.Object(
  { jobTypes: Type.Array(CommandJobTypeSchema, { minItems: 1 }) },
  { additionalProperties: false },
);

export type CommandJobTypeConfig = Static<typeof CommandJobTypeSchema>;
export type CommandOptions = Static<typeof CommandOptionsSchema>;
