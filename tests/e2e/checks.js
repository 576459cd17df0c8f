// What a loaded page shows, measured in the page: see conftest.Site.visit.
// Argument: {marker, strangers, email, rtlNext}. Returns plain data.
({ marker, strangers, email, rtlNext }) => {
  const where = (el) => {
    const parts = [];
    for (let node = el; node && node !== document.documentElement && parts.length < 5; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) part += `#${node.id}`;
      if (typeof node.className === "string" && node.className.trim()) {
        part += "." + node.className.trim().split(/\s+/).join(".");
      }
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const snippet = (text, n = 120) => {
    const flat = String(text).replace(/\s+/g, " ");
    return flat.length > n ? `${flat.slice(0, n)}… (${flat.length} chars)` : flat;
  };
  const all = Array.from(document.querySelectorAll("*"));

  // Links whose scheme runs or renders code.
  const dangerous = ["javascript:", "data:", "vbscript:"];
  const linkAttrs = ["href", "xlink:href", "action", "formaction"];
  const framed = new Set(["IFRAME", "FRAME", "EMBED", "OBJECT", "SCRIPT"]);
  // A data block (schema.org JSON-LD): the browser never runs it.
  const dataBlock = (el) =>
    ["application/ld+json", "application/json"].includes((el.getAttribute("type") || "").trim().toLowerCase());
  const badLinks = [];
  const injected = [];
  for (const el of all) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      // The site's own markup has no inline handlers: these came from a record.
      if (name.startsWith("on")) injected.push(`${where(el)} has ${name}="${snippet(attr.value, 60)}"`);
      if (name === "srcdoc" || (el.tagName === "IMG" && name === "src" && attr.value === "x")) {
        injected.push(`${where(el)} has ${name}="${snippet(attr.value, 60)}"`);
      }
      const isLink = linkAttrs.includes(name) || (framed.has(el.tagName) && (name === "src" || name === "data"));
      if (!isLink) continue;
      let scheme;
      try {
        scheme = new URL(attr.value, document.baseURI).protocol;
      } catch (error) {
        continue;
      }
      if (dangerous.includes(scheme)) {
        badLinks.push(`${where(el)} ${name}="${snippet(attr.value, 80)}" (text: "${snippet(el.textContent, 40)}")`);
      }
    }
    if (el.tagName === "SCRIPT" && dataBlock(el)) {
      // JSON-LD holds record text as data, never run: it must stay one JSON value
      try {
        JSON.parse(el.textContent);
      } catch (error) {
        injected.push(`${where(el)} is no longer JSON: ${snippet(el.textContent, 60)}`);
      }
    } else if (el.tagName === "SCRIPT" && el.textContent.includes("__pwned")) {
      injected.push(`${where(el)}: ${snippet(el.textContent, 60)}`);
    }
  }

  // Width on a phone: the page, and the innermost elements or text past the edge.
  const edge = window.innerWidth + 0.5;
  const past = [];
  for (const el of all) {
    if (el.closest("head")) continue;
    let right = el.getBoundingClientRect().right;
    for (const child of el.childNodes) {
      if (child.nodeType === Node.TEXT_NODE && child.data.trim()) {
        const range = document.createRange();
        range.selectNodeContents(child);
        right = Math.max(right, range.getBoundingClientRect().right);
      }
    }
    if (right > edge) past.push([el, right]);
  }
  const innermost = past.filter(([el]) => !past.some(([other]) => other !== el && el.contains(other)));
  const wide = innermost.slice(0, 6).map(([el, right]) => `${where(el)} reaches ${Math.round(right)}px`);

  // Stranger-provided text: isolated (<bdi> or unicode-bidi: isolate) from what surrounds it.
  const isolating = (el) =>
    el.tagName === "BDI" || ["isolate", "isolate-override", "plaintext"].includes(getComputedStyle(el).unicodeBidi);
  const isStranger = (text) => text.includes(marker) || text.includes("\u202e") || strangers.some((s) => text.includes(s));
  // The whole text of a node's run of text nodes (the parser splits text
  // longer than 65,536 characters into several nodes).
  const wholeText = (node) => {
    let first = node;
    while (first.previousSibling && first.previousSibling.nodeType === Node.TEXT_NODE) first = first.previousSibling;
    let text = "";
    for (let n = first; n && n.nodeType === Node.TEXT_NODE; n = n.nextSibling) text += n.data;
    return text;
  };
  const isolated = (node) => {
    const text = wholeText(node).trim();
    for (let el = node.parentElement; el && el !== document.body; el = el.parentElement) {
      if (isolating(el)) return el.textContent.trim() === text || el.tagName === "BDI";
      if (el.textContent.trim() !== text) return false;
    }
    return false;
  };
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  const unisolated = [];
  const reversed = [];
  let strangerTexts = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, template, noscript, textarea")) continue;
    if (isStranger(node.data)) {
      strangerTexts += 1;
      if (!isolated(node)) unisolated.push(`${where(parent)}: "${snippet(node.data, 70)}"`);
    }
    // The name after the one with an unclosed right-to-left override: its
    // first letter must be drawn left of its fifth, as in any left-to-right text.
    const at = node.data.indexOf(rtlNext);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + 1);
      const first = range.getBoundingClientRect();
      range.setStart(node, at + 4);
      range.setEnd(node, at + 5);
      const fifth = range.getBoundingClientRect();
      if (first.width && fifth.width && Math.abs(first.top - fifth.top) < 2 && first.left > fifth.left) {
        reversed.push(`${where(parent)}: "${snippet(node.data, 50)}" drawn right to left`);
      }
    }
  }

  // The e-mail address of a raw affiliation, in text or in an attribute.
  const emailAt = [];
  if (document.documentElement.outerHTML.toLowerCase().includes(email)) {
    const textWalker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
    for (let node = textWalker.nextNode(); node; node = textWalker.nextNode()) {
      if (node.data.toLowerCase().includes(email)) emailAt.push(`${where(node.parentElement)}: "${snippet(node.data, 140)}"`);
    }
    for (const el of all) {
      for (const attr of Array.from(el.attributes)) {
        if (attr.value.toLowerCase().includes(email)) emailAt.push(`${where(el)} ${attr.name}="${snippet(attr.value, 140)}"`);
      }
    }
    if (!emailAt.length) emailAt.push("in the page's HTML (a comment?)");
  }

  return {
    pwned: typeof window.__pwned === "undefined" ? null : String(window.__pwned),
    badLinks,
    injected,
    scrollWidth: document.documentElement.scrollWidth,
    wide,
    unisolated,
    strangerTexts,
    reversed,
    emailAt,
    text: document.body ? document.body.textContent : "",
  };
};
