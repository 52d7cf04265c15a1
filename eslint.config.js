import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const throughIndexOnly = {
  regex: '^(\\.\\./)+(src/)?(core|db|api|jobs|retrieval|answer|ingest|evals|embedders|rerankers|models|analytics|text)/(?!index\\.ts$).+',
  message: 'Import another stage through its index.ts; only composition roots (src/entry) reach deeper.',
};

// ingest/ and evals/ build on src/; src/ never builds on them, so the arrow points one way.
// src/ has no folder of either name, so any relative path into one leaves src/.
const srcDoesNotImportIngestOrEvals = {
  regex: '^(\\.\\./)+(ingest|evals)(/|$)',
  message: 'src/ does not import ingest/ or evals/ (they import src/); only the composition root src/entry wires them in.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.oriole/', '.wrangler/', 'coverage/', 'tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [throughIndexOnly] }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through src/core/config.ts; only composition roots pass process.env in.',
        },
      ],
    },
  },
  {
    files: ['src/**'],
    ignores: ['src/entry/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [throughIndexOnly, srcDoesNotImportIngestOrEvals] }] },
  },
  {
    // Composition roots and test helpers are where the environment enters.
    files: ['bin/**', 'src/entry/**', 'test/**', 'bench/**', 'scripts/**', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off', 'no-restricted-imports': 'off' },
  },
);
