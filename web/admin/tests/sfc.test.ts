// Every single-file component compiles as the production build compiles it. vue-tsc and
// ESLint accept some template expressions that the build refuses (a handler of several
// statements on separate lines, as Prettier writes them without semicolons).
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { compileScript, compileTemplate, parse } from 'vue/compiler-sfc'
import { describe, expect, it } from 'vitest'

const src = resolve(import.meta.dirname ?? __dirname, '../src')
const vueFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? vueFiles(join(dir, e.name)) : e.name.endsWith('.vue') ? [join(dir, e.name)] : [],
  )

describe('single-file components', () => {
  const files = vueFiles(src)
  it('are found', () => expect(files.length).toBeGreaterThan(20))
  for (const file of files) {
    it(`${relative(src, file)} compiles for production`, () => {
      const { descriptor, errors } = parse(readFileSync(file, 'utf8'), { filename: file })
      expect(errors.map(String)).toEqual([])
      const id = relative(src, file)
      const script = compileScript(descriptor, { id, isProd: true })
      const tpl = compileTemplate({
        source: descriptor.template?.content ?? '',
        filename: file,
        id,
        isProd: true,
        compilerOptions: {
          prefixIdentifiers: true,
          bindingMetadata: script.bindings,
          expressionPlugins: ['typescript'],
        },
      })
      expect(tpl.errors.map(String)).toEqual([])
    })
  }
})
