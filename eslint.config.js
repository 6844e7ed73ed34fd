// ESLint (flat config): the recommended JavaScript and TypeScript rules, on the product, tests and
// scripts, and on the TypeScript of the tsconfig.json project (src, test, scripts) rules that read types:
// npc is an async CLI, and a promise nobody awaits loses its error (and its exit code). Formatting is
// prettier's job (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        WebAssembly: 'readonly',
        SharedArrayBuffer: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      // `_` marks a binding kept for its position or to drop a property (const { a: _, ...rest } = o).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The engine (assembly/) is AssemblyScript: TypeScript syntax compiled to WebAssembly by asc,
    // which TypeScript's own parser does not fully accept.
    files: ['assembly/**/*.ts'],
    languageOptions: {
      parserOptions: {
        // AssemblyScript puts decorators (@inline, @unmanaged) on functions and constants, where
        // TypeScript rejects them ("Decorators are not valid here"): parse them anyway.
        allowInvalidAST: true,
      },
    },
    rules: {
      // Each such decorator is preceded by `// @ts-ignore: decorator` so that editors running
      // TypeScript on these files do not flag it.
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': 'allow-with-description' }],
    },
  },
  {
    // Typed rules need the TypeScript program, so only the files tsconfig.json holds (not assembly/:
    // AssemblyScript is not a TypeScript project). A promise is awaited, handled, or discarded with
    // `void` and a comment that says why it is not awaited.
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A promise returned from inside try without await escapes its catch and finally.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
    },
  },
);
