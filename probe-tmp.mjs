import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
for (const size of [32768, 65536, 131072, 196608, 262144, 524288]) {
  const mod = await newQuickJSWASMModuleFromVariant(variant);
  const rt = mod.newRuntime(); rt.setMaxStackSize(size); rt.setMemoryLimit(32<<20);
  const ctx = rt.newContext();
  const r = ctx.evalCode('let d = 0; function f(n){ d = n; return 1 + f(n+1) } try { f(0) } catch (e) {} let d2=0; function g(a,b,c){ d2=a; const o={a,b,c}; return [g(a+1,o,c)] } try { g(0,1,2) } catch(e) {} let d3=0; function j(o,n){ d3=n; return JSON.stringify(o) } ; let o = []; let n=0; try { for(;;){ o=[o]; n++; if (n%100==0) JSON.stringify(o) } } catch(e) {} ; [d, d2, n]');
  let out; try { out = r.error ? ctx.dump(r.error) : ctx.dump(r.value); } catch (e) { out = String(e) }
  console.log(size, JSON.stringify(out));
}
