/**
 * A SAML identity provider for tests: an RSA key and a self-signed certificate made at test time
 * (never committed), SAML 2.0 Responses built as XML strings, and signatures made with xml-crypto
 * (enveloped, exclusive c14n, rsa-sha256), so that tests exercise real XML and real cryptography.
 *
 * Needs `xml-crypto` and the `openssl` command (for the certificate) on the test machine.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignedXml } from "xml-crypto";

/** A signing key pair: the private key (PKCS#8 PEM) and a self-signed certificate (PEM). */
export interface TestSigningKeys {
  readonly privateKey: string;
  readonly certificate: string;
}

const keyCache = new Map<string, TestSigningKeys>();

/**
 * A fresh RSA-2048 key (node:crypto) and a self-signed X.509 certificate for it (`openssl req
 * -x509`, in a temporary directory removed at once). Cached per `label` for the process.
 */
export function createTestSigningKeys(label = "orgkit-test-idp"): TestSigningKeys {
  const cached = keyCache.get(label);
  if (cached !== undefined) return cached;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const dir = mkdtempSync(join(tmpdir(), "orgkit-idp-"));
  try {
    const keyFile = join(dir, "key.pem");
    const certificateFile = join(dir, "certificate.pem");
    writeFileSync(keyFile, pem, { mode: 0o600 });
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-new",
        "-key",
        keyFile,
        "-sha256",
        "-days",
        "3650",
        "-subj",
        `/CN=${label.replace(/[^A-Za-z0-9.-]/g, "-")}`,
        "-out",
        certificateFile,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const keys = { privateKey: pem, certificate: readFileSync(certificateFile, "utf8") };
    keyCache.set(label, keys);
    return keys;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** XML-escapes text or an attribute value. */
export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** A SAML id (an NCName): `_` and 32 hex digits. */
export function samlId(): string {
  return `_${randomBytes(16).toString("hex")}`;
}

/**
 * Signs the element whose `ID` attribute is `id` with an enveloped signature placed right after
 * its `Issuer` (exclusive c14n, rsa-sha256, sha256 digest). The certificate goes into KeyInfo, as
 * real IdPs do; a verifier must ignore it.
 */
export function signSamlElement(xml: string, id: string, keys: TestSigningKeys): string {
  const signer = new SignedXml({
    privateKey: keys.privateKey,
    publicCert: keys.certificate,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  signer.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: [
      "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
      "http://www.w3.org/2001/10/xml-exc-c14n#",
    ],
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
  });
  signer.computeSignature(xml, {
    prefix: "ds",
    location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: "after" },
  });
  return signer.getSignedXml();
}

/** True when the element with `ID` = `id` carries a signature `certificate` verifies. */
export function verifySamlElement(xml: string, certificate: string): boolean {
  const start = xml.indexOf("<ds:Signature");
  const end = xml.indexOf("</ds:Signature>", start) + "</ds:Signature>".length;
  const verifier = new SignedXml({ publicCert: certificate });
  verifier.loadSignature(xml.slice(start, end));
  return verifier.checkSignature(xml);
}

/** Base64 of the UTF-8 XML, as the HTTP-POST binding sends it. */
export function encodeSamlResponse(xml: string): string {
  return Buffer.from(xml, "utf8").toString("base64");
}

/** What a test response says; everything has a valid default but the SP's URLs. */
export interface TestSamlResponseOptions {
  /** The IdP's clock: instants are computed from it. */
  readonly now: Date;
  /** The SP entity id (the Audience). */
  readonly audience: string;
  /** The ACS URL: Destination and Recipient. */
  readonly acsUrl: string;
  readonly nameId: string;
  /** Default `urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress`. */
  readonly nameIdFormat?: string;
  /** The request answered; omit for an IdP-initiated response. */
  readonly inResponseTo?: string;
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
  readonly assertionId?: string;
  readonly responseId?: string;
  /** Overrides the Destination (default `acsUrl`); null leaves it out. */
  readonly destination?: string | null;
  /** Overrides the Recipient (default `acsUrl`). */
  readonly recipient?: string;
  /** Default: this IdP's entity id. */
  readonly issuer?: string;
  /** Conditions NotBefore; default `now` − 1 min; null leaves it out. */
  readonly notBefore?: Date | null;
  /** Conditions and SubjectConfirmationData NotOnOrAfter; default `now` + 5 min. */
  readonly notOnOrAfter?: Date;
  /** Default `now`. */
  readonly issueInstant?: Date;
  /** Default `urn:oasis:names:tc:SAML:2.0:status:Success`. */
  readonly status?: string;
  /** What is signed. Default `"assertion"`. */
  readonly sign?: "assertion" | "response" | "both" | "none";
  /** The key that signs (default this IdP's); its certificate goes into KeyInfo. */
  readonly signWith?: TestSigningKeys;
}

/** A test identity provider. */
export interface TestIdentityProvider {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly keys: TestSigningKeys;
  /** The IdP's SAML 2.0 metadata (EntityDescriptor with an HTTP-Redirect sign-in endpoint). */
  metadataXml(): string;
  /** The assertion alone, unsigned (for building attacks). */
  assertionXml(options: TestSamlResponseOptions & { readonly assertionId: string }): string;
  /** A Response as XML, signed as asked. */
  responseXml(options: TestSamlResponseOptions): string;
  /** A Response as the base64 `SAMLResponse` form field. */
  response(options: TestSamlResponseOptions): string;
}

const iso = (date: Date) => date.toISOString();

/**
 * Creates a test IdP.
 *
 * @example
 * ```ts
 * const idp = createTestIdentityProvider();
 * const created = await asAdmin.identityProviders.create("acme", { id: "test", name: "Test IdP", metadataXml: idp.metadataXml() });
 * const { requestId } = await orgkit.sso.login("acme", "test");
 * const SAMLResponse = idp.response({ now, audience: created.serviceProvider.entityId,
 *   acsUrl: created.serviceProvider.acsUrl, nameId: "bob@acme.test", inResponseTo: requestId });
 * await orgkit.sso.acs("acme", "test", { SAMLResponse });
 * ```
 */
export function createTestIdentityProvider(
  options: { readonly entityId?: string; readonly ssoUrl?: string; readonly keys?: TestSigningKeys } = {},
): TestIdentityProvider {
  const entityId = options.entityId ?? "https://idp.example.test/saml/metadata";
  const ssoUrl = options.ssoUrl ?? "https://idp.example.test/saml/sso";
  const keys = options.keys ?? createTestSigningKeys();
  const bareCertificate = keys.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");

  function assertionXml(o: TestSamlResponseOptions & { readonly assertionId: string }): string {
    const now = o.now.getTime();
    const notOnOrAfter = o.notOnOrAfter ?? new Date(now + 5 * 60_000);
    const notBefore = o.notBefore === undefined ? new Date(now - 60_000) : o.notBefore;
    const inResponseTo = o.inResponseTo === undefined ? "" : ` InResponseTo="${xmlEscape(o.inResponseTo)}"`;
    const attributes = Object.entries(o.attributes ?? {})
      .map(([name, value]) => {
        const values = (typeof value === "string" ? [value] : value)
          .map((v) => `<saml:AttributeValue>${xmlEscape(v)}</saml:AttributeValue>`)
          .join("");
        return `<saml:Attribute Name="${xmlEscape(name)}">${values}</saml:Attribute>`;
      })
      .join("");
    return [
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.assertionId}" Version="2.0" IssueInstant="${iso(o.issueInstant ?? o.now)}">`,
      `<saml:Issuer>${xmlEscape(o.issuer ?? entityId)}</saml:Issuer>`,
      "<saml:Subject>",
      `<saml:NameID Format="${xmlEscape(o.nameIdFormat ?? "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")}">${xmlEscape(o.nameId)}</saml:NameID>`,
      '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">',
      `<saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${xmlEscape(o.recipient ?? o.acsUrl)}"/>`,
      "</saml:SubjectConfirmation>",
      "</saml:Subject>",
      `<saml:Conditions${notBefore === null ? "" : ` NotBefore="${iso(notBefore)}"`} NotOnOrAfter="${iso(notOnOrAfter)}">`,
      `<saml:AudienceRestriction><saml:Audience>${xmlEscape(o.audience)}</saml:Audience></saml:AudienceRestriction>`,
      "</saml:Conditions>",
      `<saml:AuthnStatement AuthnInstant="${iso(o.now)}" SessionIndex="${samlId()}">`,
      "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>",
      "</saml:AuthnStatement>",
      attributes === "" ? "" : `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>`,
      "</saml:Assertion>",
    ].join("");
  }

  function responseXml(o: TestSamlResponseOptions): string {
    const assertionId = o.assertionId ?? samlId();
    const responseId = o.responseId ?? samlId();
    const signer = o.signWith ?? keys;
    const sign = o.sign ?? "assertion";
    let assertion = assertionXml({ ...o, assertionId });
    if (sign === "assertion" || sign === "both") assertion = signSamlElement(assertion, assertionId, signer);
    const destination = o.destination === undefined ? o.acsUrl : o.destination;
    const inResponseTo = o.inResponseTo === undefined ? "" : ` InResponseTo="${xmlEscape(o.inResponseTo)}"`;
    let response = [
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${responseId}" Version="2.0" IssueInstant="${iso(o.issueInstant ?? o.now)}"${destination === null ? "" : ` Destination="${xmlEscape(destination)}"`}${inResponseTo}>`,
      `<saml:Issuer>${xmlEscape(o.issuer ?? entityId)}</saml:Issuer>`,
      `<samlp:Status><samlp:StatusCode Value="${xmlEscape(o.status ?? "urn:oasis:names:tc:SAML:2.0:status:Success")}"/></samlp:Status>`,
      assertion,
      "</samlp:Response>",
    ].join("");
    if (sign === "response" || sign === "both") response = signSamlElement(response, responseId, signer);
    return response;
  }

  return {
    entityId,
    ssoUrl,
    keys,
    metadataXml: () =>
      [
        `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${xmlEscape(entityId)}">`,
        '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>',
        `<ds:X509Certificate>${bareCertificate}</ds:X509Certificate>`,
        "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>",
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>",
        `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${xmlEscape(ssoUrl)}/post"/>`,
        `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${xmlEscape(ssoUrl)}"/>`,
        "</md:IDPSSODescriptor>",
        "</md:EntityDescriptor>",
      ].join("\n"),
    assertionXml,
    responseXml,
    response: (o) => encodeSamlResponse(responseXml(o)),
  };
}
