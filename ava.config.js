// Tests are TypeScript compiled by tsc to dist/ first (tsx cannot load worker
// threads on Node 20), then ava runs the compiled files.
export default {
  typescript: {
    rewritePaths: { 'test/': 'dist/test/' },
    compile: 'tsc',
  },
  files: ['test/**/*.test.ts'],
  timeout: '2m',
  workerThreads: false,
};
