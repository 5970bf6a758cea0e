// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const noSipJs = { group: ['sip.js', 'sip.js/*'], message: 'Only src/sip/ may import sip.js.' };
const noServer = { group: ['**/server/**'], message: 'Browser code must not import the server.' };

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'test-results/**',
      'playwright-report/**',
      '.tmp/**',
      '.tmp-*',
      // written by `npx lit-localize build` from xliff/
      'src/app/locales/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Front end: Lit and web-component rules.
    files: ['src/app/**/*.ts', 'test/app/**/*.ts'],
    ...lit.configs['flat/recommended'],
  },
  {
    files: ['src/app/**/*.ts', 'test/app/**/*.ts'],
    ...wc.configs['flat/recommended'],
  },
  // Layering (STYLE.md rule 1): only src/sip talks to sip.js; browser code never imports the server.
  {
    files: ['src/app/**/*.ts', 'src/store/**/*.ts', 'src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noSipJs, noServer] }] },
  },
  {
    files: ['src/sip/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noServer] }] },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noSipJs] }] },
  },
  {
    files: [
      'scripts/**/*.mjs',
      'scripts/**/*.ts',
      'bench/**/*.ts',
      'e2e/**/*.ts',
      'test/**/*.ts',
      '*.config.*',
    ],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
