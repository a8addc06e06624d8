import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Terminal output is made of ANSI escapes, and untrusted text is cleaned of control characters.
      'no-control-regex': 'off',
    },
  },
  {
    // Parts talk to each other only through their index.ts; tests may reach into the part they test.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+[^./][^/]*/(?!index\\.js$)', message: 'Import another part through its index.ts.' }] },
      ],
    },
  },
);
