/**
 * Loads QuickJS WebAssembly modules. Each sandbox gets its own module (its own linear memory), so a wasm
 * trap or a host stack overflow in one node's code can only poison that node's module, which is then replaced.
 */
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

export function loadQuickJSModule(): Promise<QuickJSWASMModule> {
  // The variant package is typed as CommonJS; the loader unwraps however many `default`s it is given.
  return newQuickJSWASMModuleFromVariant(import('@jitl/quickjs-wasmfile-release-sync'));
}
