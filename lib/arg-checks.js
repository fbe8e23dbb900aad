'use strict'
// Argument checks shared by TRTCCloud's methods: each returns the value when it is right, or
// throws ERR_INVALID_ARG_VALUE with a message that names the argument, what it must be, and
// what it was.

const { codedError } = require('./errors.js')

function invalid(name, expected, value) {
  const got = typeof value === 'string' ? `'${value}'` : String(value)
  return codedError('ERR_INVALID_ARG_VALUE', `${name} must be ${expected}, got ${got}`)
}

/** `value` when it is a boolean. */
function checkBoolean(name, value) {
  if (typeof value !== 'boolean') throw invalid(name, 'a boolean', value)
  return value
}

/** `value` when it is an integer from `min` to `max`. */
function checkInteger(name, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, `an integer from ${min} to ${max}`, value)
  }
  return value
}

/** `value` when it is a number (any finite one). */
function checkNumber(name, value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(name, 'a number', value)
  return value
}

/** `value` when it is a string that is not empty. */
function checkText(name, value) {
  if (typeof value !== 'string' || value === '') throw invalid(name, 'a non-empty string', value)
  return value
}

/** `value` when it is one of the values of `enumeration` (a trtc_define enum named `enumName`). */
function checkEnum(name, value, enumeration, enumName) {
  const values = Object.entries(enumeration).filter(([key]) => Number.isNaN(Number(key)))
  if (!values.some(([, known]) => known === value)) {
    const listed = values.map(([key, known]) => `${known} ${key}`).join(', ')
    throw invalid(name, `a ${enumName} (${listed})`, value)
  }
  return value
}

module.exports = { checkBoolean, checkInteger, checkNumber, checkText, checkEnum }
