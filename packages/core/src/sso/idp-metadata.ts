/**
 * What orgkit reads from an identity provider: its signing certificates and its metadata.
 */

import { createHash, X509Certificate } from "node:crypto";
import { MAX_METADATA_LENGTH } from "../schemas/identity-provider.js";
import {
  attribute,
  childElements,
  isElement,
  parseStrictXml,
  SAML_METADATA_NS,
  SAML_PROTOCOL_NS,
  XMLDSIG_NS,
  type XmlElement,
  XmlRefusal,
} from "./xml.js";

/** The HTTP-Redirect binding, the one orgkit sends AuthnRequests with. */
export const HTTP_REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

export { MAX_METADATA_LENGTH };

/** RSA keys shorter than this are refused. */
const MIN_RSA_BITS = 2048;

/** A pinned IdP signing certificate, parsed. */
export interface ParsedCertificate {
  /** The certificate as PEM, re-encoded from its DER (64-character lines). */
  readonly pem: string;
  /** SHA-256 of the DER, as colon-separated upper-case hex (what IdP consoles show). */
  readonly sha256Fingerprint: string;
  readonly subject: string;
  readonly notAfter: Date;
}

/**
 * Parses one certificate given as PEM (`-----BEGIN CERTIFICATE-----`) or bare base64 DER.
 * Throws {@link XmlRefusal} with `certificate_private_key` when the text holds a private key
 * (never echoed back), `certificate_malformed`, or `certificate_key_unsupported` (orgkit
 * verifies RSA signatures of at least 2,048 bits).
 */
export function parseCertificate(input: string): ParsedCertificate {
  if (/PRIVATE KEY/i.test(input)) throw new XmlRefusal("certificate_private_key");
  const text = input.trim();
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  let body: string;
  if (blocks.length === 1) {
    const outside = text.replace(blocks[0]![0], "").trim();
    if (outside !== "") throw new XmlRefusal("certificate_malformed");
    body = blocks[0]![1]!;
  } else if (blocks.length === 0 && !text.includes("-----")) {
    body = text;
  } else {
    throw new XmlRefusal("certificate_malformed");
  }
  const base64 = body.replace(/\s+/g, "");
  if (base64 === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    throw new XmlRefusal("certificate_malformed");
  }
  const der = Buffer.from(base64, "base64");
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw new XmlRefusal("certificate_malformed");
  }
  const key = certificate.publicKey;
  if (key.asymmetricKeyType !== "rsa" || (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new XmlRefusal("certificate_key_unsupported");
  }
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return {
    pem: `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----`,
    sha256Fingerprint: createHash("sha256")
      .update(der)
      .digest("hex")
      .toUpperCase()
      .replace(/(..)(?!$)/g, "$1:"),
    subject: certificate.subject,
    notAfter: new Date(certificate.validTo),
  };
}

/** What an IdP's metadata tells orgkit. */
export interface IdpMetadata {
  readonly entityId: string;
  /** The HTTP-Redirect SingleSignOnService location. */
  readonly ssoUrl: string;
  /** Signing certificates (KeyDescriptors with `use="signing"` or no `use`), as given. */
  readonly certificates: string[];
}

/**
 * Reads an IdP's SAML 2.0 metadata: an `EntityDescriptor` with one `IDPSSODescriptor`, or an
 * `EntitiesDescriptor` holding exactly one such entity. The metadata's own signature is not
 * checked: an administrator pasted it, and that is the trust decision. Throws {@link XmlRefusal}.
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  if (xml.length > MAX_METADATA_LENGTH) throw new XmlRefusal("metadata_too_large");
  const root = parseStrictXml(xml);
  let entity: XmlElement;
  if (isElement(root, SAML_METADATA_NS, "EntityDescriptor")) {
    entity = root;
  } else if (isElement(root, SAML_METADATA_NS, "EntitiesDescriptor")) {
    const idps = childElements(root, SAML_METADATA_NS, "EntityDescriptor").filter(
      (candidate) => childElements(candidate, SAML_METADATA_NS, "IDPSSODescriptor").length > 0,
    );
    if (idps.length !== 1) throw new XmlRefusal("metadata_entity_count");
    entity = idps[0]!;
  } else {
    throw new XmlRefusal("metadata_not_entity_descriptor");
  }
  const entityId = attribute(entity, "entityID")?.trim() ?? "";
  if (entityId === "") throw new XmlRefusal("metadata_entity_id_missing");
  const descriptors = childElements(entity, SAML_METADATA_NS, "IDPSSODescriptor");
  if (descriptors.length !== 1) throw new XmlRefusal("metadata_idp_descriptor_count");
  const descriptor = descriptors[0]!;
  if (!(attribute(descriptor, "protocolSupportEnumeration") ?? "").split(/\s+/).includes(SAML_PROTOCOL_NS)) {
    throw new XmlRefusal("metadata_not_saml2");
  }
  const redirect = childElements(descriptor, SAML_METADATA_NS, "SingleSignOnService").find(
    (service) => attribute(service, "Binding") === HTTP_REDIRECT_BINDING,
  );
  const ssoUrl = redirect === undefined ? "" : (attribute(redirect, "Location")?.trim() ?? "");
  if (ssoUrl === "") throw new XmlRefusal("metadata_redirect_binding_missing");
  const certificates: string[] = [];
  for (const keyDescriptor of childElements(descriptor, SAML_METADATA_NS, "KeyDescriptor")) {
    const use = attribute(keyDescriptor, "use");
    if (use !== null && use !== "signing") continue;
    for (const keyInfo of childElements(keyDescriptor, XMLDSIG_NS, "KeyInfo")) {
      for (const data of childElements(keyInfo, XMLDSIG_NS, "X509Data")) {
        for (const certificate of childElements(data, XMLDSIG_NS, "X509Certificate")) {
          const text = Array.from(certificate.childNodes)
            .map((node) => node.nodeValue ?? "")
            .join("")
            .replace(/\s+/g, "");
          if (text !== "" && !certificates.includes(text)) certificates.push(text);
        }
      }
    }
  }
  if (certificates.length === 0) throw new XmlRefusal("metadata_certificate_missing");
  return { entityId, ssoUrl, certificates };
}
