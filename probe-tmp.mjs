import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
const codes = {
 rec: 'function f(n){return f(n+1)+1} f(0)',
 rec7: 'function h(a,b,c,d,e,f,g){ let x=[a,b,c]; return h(a+1,b,c,d,e,f,g)} h(0)',
 parse: 'JSON.parse("[".repeat(100000))',
 stringify: 'let o=[]; for(let i=0;i<100000;i++) o=[o]; JSON.stringify(o).length',
 tostring: 'let o=[]; for(let i=0;i<100000;i++) o=[o]; String(o).length',
 regex: 'let s = "(".repeat(50000) + ")".repeat(50000); new RegExp(s).source.length',
 regexexec: '/(a|b)*c/.exec("ab".repeat(100000)) === null',
 evalnest: 'eval("(".repeat(50000) + "1" + ")".repeat(50000))',
 proxy: 'let p = new Proxy({}, {}); for (let i=0;i<100000;i++) p = new Proxy(p, {}); p.x',
 bound: 'let g = function(){return 1}; for (let i=0;i<100000;i++) g = g.bind(null); g()',
 structured: 'let o={}; for(let i=0;i<100000;i++) o={o}; JSON.stringify(o).length',
 gcdeep: 'let o=null; for(let i=0;i<300000;i++) o={o}; o=null; 1',
};
const size = Number(process.argv[2]);
const out = [];
for (const [name, code] of Object.entries(codes)) {
  const mod = await newQuickJSWASMModuleFromVariant(variant);
  const rt = mod.newRuntime();
  rt.setMemoryLimit(64*1024*1024);
  if (size >= 0) rt.setMaxStackSize(size);
  const dl = Date.now()+3000; rt.setInterruptHandler(()=>Date.now()>dl);
  const ctx = rt.newContext();
  let res;
  try {
    const r = ctx.evalCode(code);
    if (r.error) { const e = ctx.dump(r.error); res = 'ERR ' + e.name + ':' + e.message; r.error.dispose(); }
    else { res = 'OK ' + ctx.dump(r.value); r.value.dispose(); }
  } catch (e) { res = 'HOST ' + String(e).slice(0, 60);
    try { const r2 = ctx.evalCode('1+1'); res += ' then ' + (r2.error ? 'err' : ctx.dump(r2.value)); } catch (e2) { res += ' then HOST ' + String(e2).slice(0,40); }
  }
  console.log(size, `${name}: ${res}`);
}
console.log('size', size, '\n ' + out.join('\n '));
