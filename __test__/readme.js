'use strict'
// Lists kept in the documentation (README.md and docs/*.md) that tests hold to the code: each is
// a table between `<!-- name -->` and `<!-- /name -->` whose last column holds the backquoted
// names (the first says what kind they are, and may name other things).

const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')

/** README.md, then every docs/*.md, as paths from the repository root. */
function documentationFiles() {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => path.join('docs', file))
  return ['README.md', ...docs]
}

/** The backquoted names in the last column of the table `name`, in whichever file has it. */
function readmeList(name) {
  const found = documentationFiles()
    .map((file) => fs.readFileSync(path.join(ROOT, file), 'utf8'))
    .map((text) => ({ text, start: text.indexOf(`<!-- ${name} -->`) }))
    .filter(({ start }) => start >= 0)
  if (found.length !== 1) {
    throw new Error(
      `README.md and docs/*.md have ${found.length} <!-- ${name} --> sections; want exactly one`,
    )
  }
  const [{ text, start }] = found
  const end = text.indexOf(`<!-- /${name} -->`)
  if (end < start) throw new Error(`<!-- ${name} --> has no <!-- /${name} --> after it`)
  const rows = text
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
  const lastCells = rows.map((row) => row.split('|').slice(-2)[0])
  return lastCells.flatMap((cell) => [...cell.matchAll(/`(\w+)`/g)].map(([, listed]) => listed))
}

module.exports = { readmeList }
