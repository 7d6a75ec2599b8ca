/**
 * The validation of a SAML Response at the assertion consumer service, stricter than
 * node-saml's defaults. In order:
 *
 * 1. Before any cryptography ({@link decodeSamlResponse}, {@link parseStrictXml}): size, strict
 *    base64, UTF-8, no DTD/entity/comment/CDATA/processing instruction, one root, well-formed,
 *    the root a SAML 2.0 `Response` holding exactly one plain `Assertion`.
 * 2. node-saml: the signature of the Response or of the Assertion, with ONLY the provider's
 *    pinned certificates (node-saml builds xml-crypto's `SignedXml` without
 *    `getCertFromKeyInfo`, so a certificate in KeyInfo is never used), one reference to the
 *    enveloping element, no duplicate IDs, no second assertion; and the audience.
 * 3. orgkit, on the assertion node-saml returns from the signed bytes (never on the unsigned
 *    document): issuer, NameID, bearer SubjectConfirmation with Recipient = ACS URL, audience
 *    again (exact), NotBefore/NotOnOrAfter against orgkit's clock with the provider's skew.
 *    On the Response: Destination = ACS URL, status Success, InResponseTo consistent with the
 *    signed one.
 *
 * node-saml reads the system clock (`new Date()`) for its time checks, which a host's injected
 * clock cannot reach; they are turned off (`acceptedClockSkewMs: -1`, its documented switch) and
 * done in step 3 instead. Its InResponseTo cache is process memory; it is turned off
 * (`validateInResponseTo: never`) and the caller consumes the request id in storage.
 */
import { SAML, type SamlConfig, ValidateInResponseTo } from "@node-saml/node-saml";
import {
  attribute,
  childElements,
  isElement,
  onlyChild,
  optionalChild,
  parseStrictXml,
  plainText,
  SAML_ASSERTION_NS,
  SAML_PROTOCOL_NS,
  type XmlElement,
  XmlRefusal,
} from "./xml.js";

/** The largest `SAMLResponse` accepted, in base64 characters (256 KiB). */
export const MAX_SAML_RESPONSE_LENGTH = 256 * 1024;

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const TRANSIENT_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
/** The largest clock skew a provider may allow (`clockSkewSeconds` is at most 300). */
export const MAX_CLOCK_SKEW_MS = 300_000;
/** Longest NameID, assertion id or request id kept. */
const MAX_ID_LENGTH = 256;

/** The service-provider and identity-provider settings a response is checked against. */
export interface SamlCheckSettings {
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly idpEntityId: string;
  readonly ssoUrl: string;
  readonly certificates: readonly string[];
  readonly clockSkewMs: number;
}

/** What a valid response vouches for, read from signed bytes only. */
export interface ValidatedAssertion {
  readonly assertionId: string;
  /** The NameID exactly as signed (trimmed). */
  readonly nameId: string;
  readonly nameIdFormat: string | null;
  /** The signed InResponseTo (SubjectConfirmationData), or null for an IdP-initiated response. */
  readonly inResponseTo: string | null;
  /**
   * How long the assertion id must be remembered to refuse replays: its earliest NotOnOrAfter
   * plus the LARGEST skew a provider may set (300 s), so that raising a provider's skew later
   * cannot reopen a window in which a forgotten assertion would be accepted again.
   */
  readonly replayCacheUntil: Date;
  /** Attribute values by attribute name (plain-text values only). */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

/** A cache that is never used: node-saml's InResponseTo cache is off (see the file comment). */
const NO_CACHE: NonNullable<SamlConfig["cacheProvider"]> = {
  saveAsync: async () => null,
  getAsync: async () => null,
  removeAsync: async () => null,
};

/** node-saml configured for one provider; `requestId` is the id the next AuthnRequest gets. */
export function samlClient(settings: SamlCheckSettings, requestId?: string): SAML {
  return new SAML({
    idpCert: [...settings.certificates],
    issuer: settings.spEntityId,
    audience: settings.spEntityId,
    callbackUrl: settings.acsUrl,
    entryPoint: settings.ssoUrl,
    idpIssuer: settings.idpEntityId,
    // Either the Response or the Assertion must carry a valid signature: with both flags false,
    // node-saml still refuses a response unless the Response verifies or (failing that) its one
    // Assertion does.
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    validateInResponseTo: ValidateInResponseTo.never,
    acceptedClockSkewMs: -1,
    cacheProvider: NO_CACHE,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: "sha256",
    ...(requestId === undefined ? {} : { generateUniqueId: () => requestId }),
  });
}

/**
 * Decodes the posted `SAMLResponse`: at most {@link MAX_SAML_RESPONSE_LENGTH} characters of
 * strict base64 (line breaks allowed) of UTF-8. Returns the XML and the canonical base64 (what
 * node-saml is given, so that both read the same bytes).
 */
export function decodeSamlResponse(value: unknown): { xml: string; base64: string } {
  if (typeof value !== "string" || value.length === 0) throw new XmlRefusal("response_missing");
  if (value.length > MAX_SAML_RESPONSE_LENGTH) throw new XmlRefusal("response_too_large");
  const compact = value.replace(/[\r\n\t ]+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new XmlRefusal("response_not_base64");
  }
  const bytes = Buffer.from(compact, "base64");
  if (bytes.toString("base64") !== compact) throw new XmlRefusal("response_not_base64");
  let xml: string;
  try {
    xml = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new XmlRefusal("response_not_utf8");
  }
  return { xml, base64: compact };
}

/** Parses an xs:dateTime in UTC (`...Z`), as SAML requires; a refusal otherwise. */
export function parseInstant(value: string | null, reason: string): Date | null {
  if (value === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/.exec(value);
  if (match === null) throw new XmlRefusal(reason);
  const [, y, mo, d, h, mi, s, fraction] = match;
  const ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0")),
  );
  const date = new Date(ms);
  if (Number.isNaN(ms) || date.getUTCDate() !== Number(d) || date.getUTCHours() !== Number(h)) {
    throw new XmlRefusal(reason);
  }
  return date;
}

function libraryReason(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  if (/multiple assertions/i.test(message)) return "assertion_count";
  if (/audience/i.test(message)) return "audience_mismatch";
  if (/signature|reference|ID cannot refer/i.test(message)) return "signature_invalid";
  return "library_refused";
}

/**
 * Validates a posted `SAMLResponse` for one provider at `now`. Throws {@link XmlRefusal} with
 * the precise reason; the caller answers with a generic error and keeps the reason for logs.
 * Does NOT check the InResponseTo against issued requests, nor replays: the caller does both in
 * storage.
 */
export async function validateSamlResponse(
  samlResponse: unknown,
  settings: SamlCheckSettings,
  now: Date,
): Promise<ValidatedAssertion> {
  // 1. Before any cryptography.
  const { xml, base64 } = decodeSamlResponse(samlResponse);
  const response = parseStrictXml(xml);
  if (!isElement(response, SAML_PROTOCOL_NS, "Response")) throw new XmlRefusal("response_root");
  if (attribute(response, "Version") !== "2.0") throw new XmlRefusal("response_version");
  if (childElements(response, SAML_ASSERTION_NS, "EncryptedAssertion").length > 0) {
    throw new XmlRefusal("assertion_encrypted");
  }
  const rawAssertion = onlyChild(response, SAML_ASSERTION_NS, "Assertion", "assertion_count");
  if (attribute(response, "Destination") !== settings.acsUrl) throw new XmlRefusal("destination_mismatch");
  const status = onlyChild(response, SAML_PROTOCOL_NS, "Status", "status_missing");
  const statusCode = onlyChild(status, SAML_PROTOCOL_NS, "StatusCode", "status_missing");
  // node-saml reads the assertion of a response whatever its status says.
  if (attribute(statusCode, "Value") !== STATUS_SUCCESS) throw new XmlRefusal("status_not_success");
  const responseIssuer = optionalChild(response, SAML_ASSERTION_NS, "Issuer", "issuer_mismatch");
  if (responseIssuer !== null && plainText(responseIssuer, "issuer_mismatch") !== settings.idpEntityId) {
    throw new XmlRefusal("issuer_mismatch");
  }

  // 2. Signature (pinned certificates only) and audience, by node-saml.
  let signedAssertionXml: string;
  try {
    const result = await samlClient(settings).validatePostResponseAsync({ SAMLResponse: base64 });
    const profile = result.profile;
    if (profile === null || result.loggedOut || typeof profile.getAssertionXml !== "function") {
      throw new XmlRefusal("assertion_missing");
    }
    signedAssertionXml = profile.getAssertionXml();
  } catch (error) {
    if (error instanceof XmlRefusal) throw error;
    throw new XmlRefusal(libraryReason(error));
  }

  // 3. The signed assertion, read again here: only these bytes are trusted.
  const assertion = parseStrictXml(signedAssertionXml);
  if (!isElement(assertion, SAML_ASSERTION_NS, "Assertion")) throw new XmlRefusal("assertion_missing");
  const assertionId = attribute(assertion, "ID") ?? "";
  if (assertionId === "" || assertionId.length > MAX_ID_LENGTH) throw new XmlRefusal("assertion_id");
  if (attribute(rawAssertion, "ID") !== assertionId) throw new XmlRefusal("assertion_mismatch");
  if (attribute(assertion, "Version") !== "2.0") throw new XmlRefusal("assertion_version");

  const skew = settings.clockSkewMs;
  const nowMs = now.getTime();
  const notYet = (instant: Date | null) => instant !== null && nowMs + skew < instant.getTime();
  const over = (instant: Date | null) => instant !== null && nowMs - skew >= instant.getTime();

  const issueInstant = parseInstant(attribute(assertion, "IssueInstant"), "time_malformed");
  if (issueInstant === null) throw new XmlRefusal("time_malformed");
  if (notYet(issueInstant)) throw new XmlRefusal("not_yet_valid");

  const issuer = onlyChild(assertion, SAML_ASSERTION_NS, "Issuer", "issuer_mismatch");
  if (plainText(issuer, "issuer_mismatch") !== settings.idpEntityId) throw new XmlRefusal("issuer_mismatch");

  const subject = onlyChild(assertion, SAML_ASSERTION_NS, "Subject", "subject_missing");
  const nameIdElement = onlyChild(subject, SAML_ASSERTION_NS, "NameID", "nameid_missing");
  // Canonical bytes carry no comment, so a split NameID reads here as the whole signed text.
  const nameId = plainText(nameIdElement, "nameid_not_plain_text");
  if (nameId === "" || nameId.length > MAX_ID_LENGTH) throw new XmlRefusal("nameid_missing");
  const nameIdFormat = attribute(nameIdElement, "Format");
  // A transient NameID changes at every sign-in: it cannot key an identity.
  if (nameIdFormat === TRANSIENT_FORMAT) throw new XmlRefusal("nameid_transient");

  const confirmations = childElements(subject, SAML_ASSERTION_NS, "SubjectConfirmation");
  if (confirmations.length !== 1 || attribute(confirmations[0]!, "Method") !== BEARER) {
    throw new XmlRefusal("subject_confirmation");
  }
  const data = onlyChild(
    confirmations[0]!,
    SAML_ASSERTION_NS,
    "SubjectConfirmationData",
    "subject_confirmation",
  );
  if (attribute(data, "Recipient") !== settings.acsUrl) throw new XmlRefusal("recipient_mismatch");
  const dataNotOnOrAfter = parseInstant(attribute(data, "NotOnOrAfter"), "time_malformed");
  if (dataNotOnOrAfter === null) throw new XmlRefusal("subject_confirmation_expiry_missing");
  const dataNotBefore = parseInstant(attribute(data, "NotBefore"), "time_malformed");
  if (notYet(dataNotBefore)) throw new XmlRefusal("not_yet_valid");
  if (over(dataNotOnOrAfter)) throw new XmlRefusal("expired");
  const inResponseTo = attribute(data, "InResponseTo");
  if (inResponseTo !== null && (inResponseTo === "" || inResponseTo.length > MAX_ID_LENGTH)) {
    throw new XmlRefusal("inresponseto_unknown");
  }
  const responseInResponseTo = attribute(response, "InResponseTo");
  if (responseInResponseTo !== null && responseInResponseTo !== inResponseTo) {
    // Only the assertion's InResponseTo is signed in every case; the Response's must agree.
    throw new XmlRefusal(inResponseTo === null ? "inresponseto_unsigned" : "inresponseto_mismatch");
  }

  const conditions = onlyChild(assertion, SAML_ASSERTION_NS, "Conditions", "conditions");
  const notBefore = parseInstant(attribute(conditions, "NotBefore"), "time_malformed");
  const notOnOrAfter = parseInstant(attribute(conditions, "NotOnOrAfter"), "time_malformed");
  if (notYet(notBefore)) throw new XmlRefusal("not_yet_valid");
  if (over(notOnOrAfter)) throw new XmlRefusal("expired");
  const restrictions = childElements(conditions, SAML_ASSERTION_NS, "AudienceRestriction");
  if (restrictions.length === 0) throw new XmlRefusal("audience_mismatch");
  for (const restriction of restrictions) {
    const audiences = childElements(restriction, SAML_ASSERTION_NS, "Audience").map((audience) =>
      plainText(audience, "audience_mismatch"),
    );
    if (!audiences.includes(settings.spEntityId)) throw new XmlRefusal("audience_mismatch");
  }

  if (childElements(assertion, SAML_ASSERTION_NS, "AuthnStatement").length === 0) {
    throw new XmlRefusal("authn_statement_missing");
  }

  // No prototype: an attribute may be named `__proto__`.
  const attributes: Record<string, string[]> = Object.create(null);
  for (const statement of childElements(assertion, SAML_ASSERTION_NS, "AttributeStatement")) {
    for (const element of childElements(statement, SAML_ASSERTION_NS, "Attribute")) {
      const name = attribute(element, "Name");
      if (name === null || name === "" || Object.hasOwn(attributes, name)) continue;
      attributes[name] = readValues(element);
    }
  }

  const ends = [dataNotOnOrAfter.getTime(), ...(notOnOrAfter === null ? [] : [notOnOrAfter.getTime()])];
  return {
    assertionId,
    nameId,
    nameIdFormat,
    inResponseTo,
    replayCacheUntil: new Date(Math.min(...ends) + MAX_CLOCK_SKEW_MS),
    attributes,
  };
}

function readValues(element: XmlElement): string[] {
  const values: string[] = [];
  for (const value of childElements(element, SAML_ASSERTION_NS, "AttributeValue")) {
    try {
      values.push(plainText(value, "attribute_value"));
    } catch {
      // A structured value (an element inside) is not something orgkit reads.
    }
  }
  return values;
}
