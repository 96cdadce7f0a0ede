import { Type, type StringOptions, type TString } from '@sinclair/typebox';

/**
 * A parameter holding a secret (a password for a protected archive): stored encrypted, never
 * shown back (UWS, JSON and the web UI show it as hidden), given to the plugin in clear.
 */
export function SecretParameter(options: StringOptions = {}): TString {
  return Type.String({ maxLength: 1024, ...options, format: 'password', writeOnly: true });
}

export function isSecretParameter(prop: unknown): boolean {
  const p = prop as { format?: string; writeOnly?: boolean };
  return p?.writeOnly === true || p?.format === 'password';
}
