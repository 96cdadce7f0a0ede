// build:assets step: compile the optional native kernel (Node-API, C++) with the system's C++
// compiler. It is optional by design: when no compiler or no Node headers are found, or the
// build fails, it says so and exits 0; the plugin then runs on its WebAssembly (or JavaScript)
// kernel. A binary left from an earlier build is removed when the build is skipped or fails, so
// it never outlives its source. The new binary is compiled under a temporary name and renamed
// into place: a process loading the kernel meanwhile (tests, a running server) finds the old or
// the new file, never none or half of one. Set VOCLOUD_SOM_NATIVE=0 to skip the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const source = join(pkg, 'native', 'som_kernel.cc');
const outDir = join(pkg, 'dist', 'native');
const out = join(outDir, 'som_kernel.node');

const tmp = `${out}.${process.pid}.tmp`;

function skip(why) {
  rmSync(out, { force: true });
  rmSync(tmp, { force: true });
  console.warn(`@vocloud/plugin-som: native kernel not built (${why}); the WebAssembly or JavaScript kernel will be used.`);
  process.exit(0);
}

if (process.env.VOCLOUD_SOM_NATIVE === '0') skip('VOCLOUD_SOM_NATIVE=0');
if (process.platform === 'win32') skip('Windows builds are not scripted');

// Node's own headers ship beside the binary in official builds and in Debian's nodejs-dev.
const candidates = [
  join(dirname(dirname(process.execPath)), 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
];
const include = candidates.find((d) => existsSync(join(d, 'node_api.h')));
if (!include) skip(`node_api.h not found in ${candidates.join(', ')}`);

const cxx = process.env.CXX || 'g++';
const args = [
  '-O3', '-std=c++17', '-fPIC', '-shared', '-fno-exceptions', '-fvisibility=hidden',
  '-DNAPI_VERSION=8', `-I${include}`, source, '-o', tmp,
];
// Node-API symbols are resolved from the running node executable at load time.
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');

mkdirSync(outDir, { recursive: true });
const r = spawnSync(cxx, args, { encoding: 'utf8' });
if (r.error) skip(`${cxx}: ${r.error.message}`);
if (r.status !== 0) skip(`${cxx} failed:\n${r.stderr}`);
renameSync(tmp, out);
console.log(`@vocloud/plugin-som: built ${out}`);
