// build:assets step: compile the WebAssembly SIMD kernel (assembly/kernel.ts) with
// AssemblyScript. It is the fallback where the native kernel cannot be built; when
// AssemblyScript is not installed (an install without devDependencies) it says so and exits 0,
// and the plugin falls back to its JavaScript kernel.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(pkg, 'dist', 'wasm', 'som_kernel.wasm');

rmSync(out, { force: true });
let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch (err) {
  console.warn(`@vocloud/plugin-som: WebAssembly kernel not built (AssemblyScript not installed: ${err.message})`);
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
const { error, stderr } = await asc.main([
  join(pkg, 'assembly', 'kernel.ts'), '--outFile', out, '-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd',
]);
if (error) {
  console.warn(`@vocloud/plugin-som: WebAssembly kernel not built: ${error.message}\n${stderr.toString()}`);
  process.exit(0);
}
console.log(`@vocloud/plugin-som: built ${out}`);
