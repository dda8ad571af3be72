// src/api/schema.d.ts is generated from docs/openapi.yaml (npm run gen:api) and checked
// in; this fails when the yaml changed and the file was not regenerated.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const web = resolve(import.meta.dirname ?? __dirname, '..')

describe('src/api/schema.d.ts', () => {
  it('is up to date with docs/openapi.yaml (else: npm run gen:api)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zq-api-schema-'))
    try {
      const out = join(dir, 'schema.d.ts')
      const cli = join(web, 'node_modules/openapi-typescript/bin/cli.js')
      execFileSync(process.execPath, [cli, join(web, '../../docs/openapi.yaml'), '--output', out], { stdio: 'pipe' })
      const fresh = readFileSync(out, 'utf8')
      const checkedIn = readFileSync(join(web, 'src/api/schema.d.ts'), 'utf8')
      expect(fresh.length).toBeGreaterThan(1000)
      expect(checkedIn === fresh, 'src/api/schema.d.ts is stale: run `npm run gen:api`').toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
