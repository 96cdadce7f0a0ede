// A vocloud server in a process of its own for the import benchmark (server.mjs,
// startVocloudProcess): argv[2] is startVocloud's kind and options as JSON. Prints
// "READY <url> <dataDir>", and stops the server (removing its data and database) on SIGTERM
// or when its stdin, a pipe from the benchmark, closes.
import { startVocloud } from './server.mjs';

const { kind, ...options } = JSON.parse(process.argv[2]);
const server = await startVocloud(kind, options);
let stopping = null;
const end = () => {
  stopping ??= server.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', end);
process.stdin.on('end', end).resume();
process.stdout.write(`READY ${server.url} ${server.dataDir}\n`);
