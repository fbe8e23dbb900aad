// Microphone and camera icons as inline SVG (no files to load), struck through when off, inside a
// pill whose colour says the same for those who do not read icons.

import { h } from './dom.js'

const SVG = 'http://www.w3.org/2000/svg'

/** Each icon's shapes on a 24×24 grid, drawn with the current colour. */
const SHAPES = {
  mic: [
    ['rect', { x: 9, y: 3, width: 6, height: 11, rx: 3 }],
    ['path', { d: 'M6 11a6 6 0 0 0 12 0M12 17v4' }],
  ],
  cam: [
    ['rect', { x: 3, y: 6, width: 12, height: 12, rx: 2 }],
    ['path', { d: 'M15 10l6-3v10l-6-3z' }],
  ],
  exit: [['path', { d: 'M10 4H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h4M14 8l4 4-4 4M18 12H8' }]],
}

function svgElement(tag, attributes) {
  const element = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  return element
}

/** `icon('mic', false)`: the microphone, struck through; `size` in CSS pixels. */
export function icon(name, on = true, size = 14) {
  const svg = svgElement('svg', {
    viewBox: '0 0 24 24',
    width: size,
    height: size,
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': 2,
    'stroke-linecap': 'round',
    'aria-hidden': 'true',
  })
  for (const [tag, attributes] of SHAPES[name]) svg.append(svgElement(tag, attributes))
  if (!on) svg.append(svgElement('path', { d: 'M3 3l18 18' }))
  return svg
}

/** `statusPill('mic', true)`: an icon pill labelled "mic on" for screen readers and tests. */
export function statusPill(name, on) {
  const label = `${name} ${on ? 'on' : 'off'}`
  return h(
    'span',
    { class: 'pill icon-pill', dataset: { on: String(on) }, title: label, 'aria-label': label },
    icon(name, on),
  )
}
