// Building elements without innerHTML: names and chat come from other people, so every piece of
// text goes in as text.

/** `h('li', { class: 'member', dataset: { userId } }, child, 'text', …)` */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'dataset') Object.assign(element.dataset, value)
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value)
    else element.setAttribute(name, value)
  }
  element.append(...children.filter((child) => child !== null))
  return element
}

export function byId(id) {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`the page has no #${id}`)
  return element
}

/** Up to two initials: 'Ann Lee' → 'AL', 'bob' → 'B'. */
export function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean)
  const letters = words.length > 1 ? [words[0], words.at(-1)] : words
  return letters.map((word) => Array.from(word)[0].toUpperCase()).join('') || '?'
}

/** A round avatar with a name's initials, coloured by the userId so that it stays the same. */
export function avatar(name, userId) {
  let hash = 0
  for (const char of userId) hash = (hash * 31 + char.codePointAt(0)) >>> 0
  const element = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(name))
  // Through the CSSOM: the CSP forbids style attributes, not this.
  element.style.background = `hsl(${hash % 360} 55% 52%)`
  return element
}
