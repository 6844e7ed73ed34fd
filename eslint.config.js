// ESLint (flat config): the recommended JavaScript and TypeScript rules, on the product, tests and
// scripts. Formatting is prettier's job (.prettierrc.json), not ESLint's.
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
);
