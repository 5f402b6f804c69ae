/**
 * The part of the runtime's WebAssembly API used here (embedded-postgres.ts compiles PGlite's
 * module once) and named by PGlite's options. TypeScript declares it only in its DOM libraries,
 * which this Node project does not load.
 */
declare namespace WebAssembly {
  class Module {
    private constructor();
  }
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
}
