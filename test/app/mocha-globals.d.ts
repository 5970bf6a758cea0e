// The mocha globals @web/test-runner provides in the browser (no @types/mocha is installed and
// the shared tsconfig only loads Node types). Only what test/app uses.

interface SentralMochaContext {
  timeout(ms: number): void;
  skip(): never;
}

type SentralMochaFn = (this: SentralMochaContext) => void | Promise<void>;

declare function describe(title: string, fn: (this: SentralMochaContext) => void): void;
declare function it(title: string, fn: SentralMochaFn): void;
declare function before(fn: SentralMochaFn): void;
declare function after(fn: SentralMochaFn): void;
declare function beforeEach(fn: SentralMochaFn): void;
declare function afterEach(fn: SentralMochaFn): void;
