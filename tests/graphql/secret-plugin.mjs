// A plugin for the GraphQL tests: a job type with a secret parameter (a password), which the
// admin API must never show. It imports @vocloud/sdk only, like any real plugin.
import { SecretParameter, Type, defineWorker, definePluginFactory } from '@vocloud/sdk';

export default definePluginFactory('graphql-secret-plugin', () => [
  defineWorker({
    name: 'with-secret',
    title: 'With a secret',
    parameters: Type.Object({ user: Type.String(), password: SecretParameter() }),
    async run() {},
  }),
]);
