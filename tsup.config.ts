import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  splitting: true,
  // web-tree-sitter locates its own .wasm next to its module; bundling it would lose that file.
  external: ['web-tree-sitter', 'tree-sitter-python'],
});
