'use strict'
// index.d.ts types the package the way apps import it (CommonJS and ES modules), and catches
// the mistakes it claims to catch: each @ts-expect-error line in the fixtures must be an error.

const { spawnSync } = require('node:child_process')
const path = require('node:path')

const { readmeList } = require('./readme.js')

test('TypeScript apps (CommonJS and ES module) type-check against index.d.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const fixtures = ['app.ts', 'app.mts'].map((f) => path.join(__dirname, 'types', f))
  const args = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16']
  const run = spawnSync(process.execPath, [tsc, ...args, '--target', 'es2022', ...fixtures], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
  })
  expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({ status: 0, output: '' })
}, 60000)

/** The members TypeScript sees on TRTCCloud instances and on the class, from index.d.ts. */
function typedMembers() {
  const ts = require('typescript')
  const file = path.join(__dirname, '..', 'index.d.ts')
  const program = ts.createProgram([file], {
    strict: true,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
  })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(file)
  const declaration = source.statements.find(
    (statement) => ts.isClassDeclaration(statement) && statement.name?.text === 'TRTCCloud',
  )
  const names = (type) => checker.getPropertiesOfType(type).map((property) => property.name)
  const namespaced = source.statements
    .filter((statement) => ts.isModuleDeclaration(statement))
    .flatMap((namespace) => namespace.body.statements)
  const members = (interfaceName) =>
    namespaced
      .find((node) => ts.isInterfaceDeclaration(node) && node.name.text === interfaceName)
      .members.map((member) => member.name.text)
  return {
    instance: names(checker.getTypeAtLocation(declaration)),
    statics: names(checker.getTypeOfSymbolAtLocation(declaration.symbol, declaration)),
    unsupported: members('UnsupportedMethods'),
    neverEmitted: members('NeverEmittedEvents'),
  }
}

test('index.d.ts types every public method TRTCCloud has, and the unsupported ones as the module lists them', () => {
  const { TRTCCloud } = require('..')
  const { UNSUPPORTED_GROUPS } = require('../lib/unsupported-methods.js')
  const typed = typedMembers()
  const methods = Object.getOwnPropertyNames(TRTCCloud.prototype).filter(
    (name) => name !== 'constructor' && !name.startsWith('_'),
  )
  const statics = Object.getOwnPropertyNames(TRTCCloud).filter(
    (name) => typeof TRTCCloud[name] === 'function',
  )
  expect({
    untypedMethods: methods.filter((name) => !typed.instance.includes(name)),
    untypedStatics: statics.filter((name) => !typed.statics.includes(name)),
  }).toEqual({ untypedMethods: [], untypedStatics: [] })
  expect(typed.unsupported).toEqual(UNSUPPORTED_GROUPS.flatMap((group) => group.methods))
  // The events OpenRoom never emits are typed too, so a ported app's listener compiles.
  expect(typed.neverEmitted).toEqual(readmeList('never-emitted-events'))
}, 60000)
