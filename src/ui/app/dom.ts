/** Tiny DOM builders for the console: text goes in as text nodes, never as HTML (names are user data). */
export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

function apply(node: Element, attrs: Attrs, children: Child[]): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(typeof c === 'number' ? String(c) : c);
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  apply(node, attrs, children);
  return node;
}

export function svg(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  apply(node, attrs, children);
  return node;
}

export function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** Replaces a node's children. */
export function fill(node: Element, ...children: Child[]): void {
  node.replaceChildren();
  apply(node, {}, children);
}

/** A section with a heading; `body` is filled on each refresh. */
export function section(title: string, id: string): { root: HTMLElement; body: HTMLElement } {
  const body = el('div', { class: 'section-body' });
  const root = el('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, el('h2', { id: `${id}-h` }, title), body);
  return { root, body };
}

/** A message for an empty or failed section: what it means and what to do. */
export function note(text: string, kind: 'empty' | 'error' = 'empty'): HTMLElement {
  return el('p', { class: `note ${kind}` }, text);
}
