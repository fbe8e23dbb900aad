'use strict'
// Lists kept in README.md that tests hold to the code: each is a table between
// `<!-- name -->` and `<!-- /name -->` whose last column holds the backquoted names (the first
// says what kind they are, and may name other things).

const fs = require('node:fs')
const path = require('node:path')

/** The backquoted names in the last column of the README's table `name`. */
function readmeList(name) {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')
  const start = readme.indexOf(`<!-- ${name} -->`)
  const end = readme.indexOf(`<!-- /${name} -->`)
  if (start < 0 || end < start) throw new Error(`README.md has no <!-- ${name} --> section`)
  const rows = readme
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
  const lastCells = rows.map((row) => row.split('|').slice(-2)[0])
  return lastCells.flatMap((cell) => [...cell.matchAll(/`(\w+)`/g)].map(([, listed]) => listed))
}

module.exports = { readmeList }
