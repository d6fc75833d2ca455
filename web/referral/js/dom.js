// Building elements from API values as text only: nothing here parses HTML.

export function element(tag, { className, text, attributes } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  node.append(...children.filter(Boolean));
  return node;
}

// A link only for http(s) addresses; anything else is shown as plain text.
export function linkOrText(url, className) {
  const text = String(url);
  if (/^https?:\/\//i.test(text)) return element("a", { className, text, attributes: { href: text } });
  return element("span", { className, text });
}
