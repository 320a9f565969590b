// Development config: same as ava.config.js but without the compile step, so
// `npm run test:dev -- test/x.test.ts` reruns one file after a separate `tsc`.
import base from './ava.config.js';
export default { ...base, typescript: { ...base.typescript, compile: false } };
