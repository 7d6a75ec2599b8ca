/**
 * Strict XML for SAML: a parser that refuses what a SAML message never needs (a DTD, entities,
 * comments, CDATA, processing instructions, several roots) BEFORE any signature is looked at,
 * and small namespace-aware helpers to read the parsed tree.
 *
 * xmldom 0.8 is lenient: it reports an unclosed tag as a mere warning, accepts text after the
 * root and unbound prefixes, and node-saml's own parser ignores warnings. Every one of those is
 * refused here.
 */
import { createRequire } from "node:module";

/** xmldom's parser, typed structurally: its own typings pull the whole DOM lib into core. */
interface DomParser {
  parseFromString(text: string, mimeType: string): unknown;
}
const { DOMParser } = createRequire(import.meta.url)("@xmldom/xmldom") as {
  DOMParser: new (options: {
    locator: object;
    errorHandler: Record<"warning" | "error" | "fatalError", (message: string) => void>;
  }) => DomParser;
};

/** The SAML 2.0 protocol namespace (`samlp:`). */
export const SAML_PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
/** The SAML 2.0 assertion namespace (`saml:`). */
export const SAML_ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
/** The SAML 2.0 metadata namespace (`md:`). */
export const SAML_METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata";
/** XML Signature (`ds:`). */
export const XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#";

/** The slice of the DOM these helpers read; kept structural so no DOM type leaks out. */
export interface XmlNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly localName: string | null;
  readonly namespaceURI: string | null;
  readonly prefix: string | null;
  readonly nodeValue: string | null;
  readonly childNodes: ArrayLike<XmlNode>;
}

/** An element. */
export interface XmlElement extends XmlNode {
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  readonly attributes: ArrayLike<XmlNode>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const PROCESSING_INSTRUCTION_NODE = 7;

/** Deeper nesting than this is refused: SAML messages are a dozen levels deep. */
const MAX_DEPTH = 40;
/** More elements than this are refused (a response has a few dozen, metadata a few hundred). */
const MAX_ELEMENTS = 20_000;

/** Why a document was refused, as a stable snake_case reason (never the document itself). */
export class XmlRefusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "XmlRefusal";
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; finding them is the point.
const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/**
 * Parses `text` as one XML document, refusing anything a SAML message or metadata never needs.
 * Returns the root element. Throws {@link XmlRefusal} with the reason.
 */
export function parseStrictXml(text: string): XmlElement {
  if (FORBIDDEN_CHARACTERS.test(text)) throw new XmlRefusal("xml_forbidden_character");
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new XmlRefusal("xml_doctype");
  // Comments are outside every signature (exclusive c14n drops them), so an attacker can add one
  // inside a signed NameID to split it (`user@evil.test<!---->.example.com`). None is needed.
  if (text.includes("<!--")) throw new XmlRefusal("xml_comment");
  if (text.includes("<![CDATA[")) throw new XmlRefusal("xml_cdata");
  const body = text.startsWith("\ufeff") ? text.slice(1) : text;
  const declaration = /^<\?xml\s[^?]*\?>/.exec(body);
  if (body.indexOf("<?", declaration === null ? 0 : declaration[0].length) !== -1) {
    throw new XmlRefusal("xml_processing_instruction");
  }

  let failed = false;
  let secondRoot = false;
  const onProblem = (message: string) => {
    failed = true;
    // xmldom's wording for an element after the root element.
    if (/only one element/i.test(String(message))) secondRoot = true;
  };
  let document: XmlNode | undefined;
  try {
    document = new DOMParser({
      locator: {},
      errorHandler: { warning: onProblem, error: onProblem, fatalError: onProblem },
    }).parseFromString(body, "text/xml") as XmlNode | undefined;
  } catch {
    failed = true;
  }
  if (secondRoot) throw new XmlRefusal("xml_multiple_roots");
  if (failed || document === undefined) throw new XmlRefusal("xml_malformed");

  let root: XmlElement | null = null;
  for (const node of Array.from(document.childNodes)) {
    if (node.nodeType === ELEMENT_NODE) {
      if (root !== null) throw new XmlRefusal("xml_multiple_roots");
      root = node as XmlElement;
    } else if (node.nodeType === TEXT_NODE) {
      if ((node.nodeValue ?? "").trim() !== "") throw new XmlRefusal("xml_multiple_roots");
    } else if (node.nodeType !== PROCESSING_INSTRUCTION_NODE || node.nodeName !== "xml") {
      throw new XmlRefusal("xml_malformed");
    }
  }
  if (root === null) throw new XmlRefusal("xml_malformed");
  checkTree(root);
  return root;
}

function checkTree(root: XmlElement): void {
  let count = 0;
  const visit = (element: XmlElement, depth: number) => {
    count += 1;
    if (depth > MAX_DEPTH) throw new XmlRefusal("xml_too_deep");
    if (count > MAX_ELEMENTS) throw new XmlRefusal("xml_too_large");
    if (element.prefix && !element.namespaceURI) throw new XmlRefusal("xml_unbound_prefix");
    for (const attribute of Array.from(element.attributes)) {
      if (attribute.prefix && attribute.prefix !== "xmlns" && !attribute.namespaceURI) {
        throw new XmlRefusal("xml_unbound_prefix");
      }
    }
    for (const child of Array.from(element.childNodes)) {
      if (child.nodeType === ELEMENT_NODE) visit(child as XmlElement, depth + 1);
      else if (child.nodeType !== TEXT_NODE) throw new XmlRefusal("xml_malformed");
    }
  };
  visit(root, 1);
}

/** True when `node` is an element named `{namespace}localName`. */
export function isElement(node: XmlNode, namespace: string, localName: string): node is XmlElement {
  return node.nodeType === ELEMENT_NODE && node.namespaceURI === namespace && node.localName === localName;
}

/** The child elements of `parent` named `{namespace}localName`, in document order. */
export function childElements(parent: XmlElement, namespace: string, localName: string): XmlElement[] {
  return Array.from(parent.childNodes).filter((node): node is XmlElement =>
    isElement(node, namespace, localName),
  );
}

/** The one child element `{namespace}localName`; null when absent, a refusal when repeated. */
export function optionalChild(
  parent: XmlElement,
  namespace: string,
  localName: string,
  reason: string,
): XmlElement | null {
  const found = childElements(parent, namespace, localName);
  if (found.length > 1) throw new XmlRefusal(reason);
  return found[0] ?? null;
}

/** The one child element `{namespace}localName`; a refusal when absent or repeated. */
export function onlyChild(
  parent: XmlElement,
  namespace: string,
  localName: string,
  reason: string,
): XmlElement {
  const found = optionalChild(parent, namespace, localName, reason);
  if (found === null) throw new XmlRefusal(reason);
  return found;
}

/**
 * The text of an element that must hold text only (no child element), trimmed. Refused with
 * `reason` when it holds anything else.
 */
export function plainText(element: XmlElement, reason: string): string {
  let text = "";
  for (const node of Array.from(element.childNodes)) {
    if (node.nodeType !== TEXT_NODE) throw new XmlRefusal(reason);
    text += node.nodeValue ?? "";
  }
  return text.trim();
}

/** An attribute's value, or null when absent. */
export function attribute(element: XmlElement, name: string): string | null {
  return element.hasAttribute(name) ? element.getAttribute(name) : null;
}
