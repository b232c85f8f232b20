// `npx tsx scripts/code-size.ts [dir] [--top N]`: the largest source files (lines) and the largest functions (lines, with
// their file:line), read with the TypeScript parser. For shape work: run before and after a refactor and compare.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

const args = process.argv.slice(2)
const topAt = args.indexOf('--top')
const top = topAt >= 0 ? Number(args[topAt + 1]) : 10
const root = args.find((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1)) ?? 'src'

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return files(path)
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

type Fn = { where: string; name: string; lines: number }
const fileSizes: { file: string; lines: number }[] = []
const fns: Fn[] = []
for (const file of files(root)) {
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  fileSizes.push({ file: relative('.', file), lines: text.split('\n').length })
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      let name = node.name && ts.isIdentifier(node.name) ? node.name.text : ''
      if (!name && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) name = node.parent.name.text
      if (!name && ts.isPropertyAssignment(node.parent) && ts.isIdentifier(node.parent.name)) name = node.parent.name.text
      fns.push({ where: `${relative('.', file)}:${start + 1}`, name: name || '(anonymous)', lines: end - start + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
}
fileSizes.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file))
fns.sort((a, b) => b.lines - a.lines || a.where.localeCompare(b.where))
console.log(`files under ${root}: ${fileSizes.length}, lines ${fileSizes.reduce((s, f) => s + f.lines, 0)}`)
console.log(`largest files:`)
for (const f of fileSizes.slice(0, top)) console.log(`  ${String(f.lines).padStart(5)}  ${f.file}`)
console.log(`largest functions:`)
for (const f of fns.slice(0, top)) console.log(`  ${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`)
