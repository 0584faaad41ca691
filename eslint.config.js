import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**', 'examples/**/node_modules/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', Buffer: 'readonly'},
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-restricted-syntax': ['error', {
        selector: "MemberExpression[object.name='process'][property.name='env']",
        message: 'Only src/runtime, commands and test/bench code read process.env; pass env into src/core.',
      }],
    },
  },
  {
    files: ['src/runtime/**', 'src/cli/**', 'commands/**', 'scripts/**', 'test/**', 'bench/**', 'examples/**', 'bin/**', 'src/platform/**', 'src/probe/**', '*.config.*'],
    rules: {'no-restricted-syntax': 'off'},
  },
)
