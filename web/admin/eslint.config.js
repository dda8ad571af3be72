// ESLint (flat config): JavaScript, TypeScript and Vue rules; formatting is left to Prettier.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import prettier from 'eslint-config-prettier/flat'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'src/api/schema.d.ts'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // Element Plus callbacks and the editor's node objects are loosely typed.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Attributes in the order written (data-test last reads well next to the handler).
      'vue/attributes-order': 'off',
      'vue/require-default-prop': 'off',
    },
  },
  // Route views are named after their page (Articles, Users…).
  { files: ['src/views/**/*.vue'], rules: { 'vue/multi-word-component-names': 'off' } },
  { files: ['*.config.{js,ts}', 'tests/**'], languageOptions: { globals: { ...globals.node } } },
  prettier,
)
